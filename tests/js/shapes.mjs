// Nested shapes through the SDK's own parsers, for operations the walk-through does not call: lists
// inside lists (security group permissions, route table routes and associations, launch template
// data, partial successes), maps (docker labels, log options, log group tags), booleans inside
// structures (EC2's attribute values), timestamps (Dates in XML and JSON; CloudWatch Logs' epoch
// milliseconds stay numbers), floats, and empty lists that must arrive as [] rather than undefined.
import { ECSClient, CreateClusterCommand, RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, DeregisterTaskDefinitionCommand,
  DeleteTaskDefinitionsCommand, CreateServiceCommand, DescribeServicesCommand, PutAccountSettingDefaultCommand, ListAccountSettingsCommand,
  DescribeCapacityProvidersCommand, ListTagsForResourceCommand, TagResourceCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand, AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand, DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand, CreateRouteTableCommand,
  AssociateRouteTableCommand, CreateInternetGatewayCommand, AttachInternetGatewayCommand, CreateRouteCommand, DescribeRouteTablesCommand,
  CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, DeleteLaunchTemplateVersionsCommand,
  ModifyVpcAttributeCommand, DescribeVpcAttributeCommand, RunInstancesCommand, DescribeInstanceAttributeCommand, DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand, CreateNetworkInterfaceCommand, AttachNetworkInterfaceCommand, AssociateTrunkInterfaceCommand,
  DescribeTrunkInterfaceAssociationsCommand, DescribeNetworkInterfacesCommand, DescribeAddressesAttributeCommand, AllocateAddressCommand,
  DescribeVpcsCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand, SimulatePrincipalPolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand,
  ListPolicyVersionsCommand, AttachRolePolicyCommand, ListEntitiesForPolicyCommand, GetRoleCommand, CreateServiceLinkedRoleCommand,
  DeleteServiceLinkedRoleCommand, CreateUserCommand, CreateAccessKeyCommand, UpdateAccessKeyCommand, ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { SSMClient, GetParametersCommand } from "@aws-sdk/client-ssm";
import { AutoScalingClient, CreateAutoScalingGroupCommand, PutScalingPolicyCommand, DescribePoliciesCommand, PutLifecycleHookCommand,
  DescribeLifecycleHooksCommand, DescribeTagsCommand, CreateOrUpdateTagsCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, DescribeLogStreamsCommand,
  FilterLogEventsCommand, ListTagsForResourceCommand as ListLogTagsCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";

const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
const ecs = new ECSClient(base), ec2 = new EC2Client(base), iam = new IAMClient(base), sts = new STSClient(base), ssm = new SSMClient(base),
  asg = new AutoScalingClient(base), logs = new CloudWatchLogsClient(base);
const clock = async (what, body) => (await fetch(`${endpoint}/_trunkline/clock/${what}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) })).json();
const out = (k, v) => console.log(JSON.stringify([k, v]));
const isDate = (v) => v instanceof Date && !Number.isNaN(v.getTime());

// --- EC2: permissions, routes, attributes, partial successes ----------------------------------------
const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc.VpcId;
const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet.SubnetId;
const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web", VpcId: vpc }))).GroupId;
const granted = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [
  { IpProtocol: "tcp", FromPort: 80, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "web" }, { CidrIp: "10.0.0.0/8" }], UserIdGroupPairs: [{ GroupId: sg, Description: "self" }] }],
  TagSpecifications: [{ ResourceType: "security-group-rule", Tags: [{ Key: "purpose", Value: "web" }] }] }));
out("authorize", [granted.Return, granted.SecurityGroupRules.map((r) => [r.IsEgress, r.FromPort, r.ToPort, r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId === sg])]);
const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups[0];
const permission = group.IpPermissions[0];
out("permission", [permission.IpProtocol, permission.FromPort, permission.ToPort, permission.IpRanges.map((r) => [r.CidrIp, r.Description ?? null]),
  permission.UserIdGroupPairs.map((p) => [p.GroupId === sg, p.UserId, p.Description]), permission.Ipv6Ranges, permission.PrefixListIds]);
out("egress", group.IpPermissionsEgress.map((p) => [p.IpProtocol, p.FromPort ?? null, p.IpRanges.map((r) => r.CidrIp)]));
const rules = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [sg] }] }))).SecurityGroupRules;
out("rules", rules.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.Tags]).sort());
const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }));
out("revoke", [revoked.Return, revoked.RevokedSecurityGroupRules.map((r) => r.CidrIpv4), revoked.UnknownIpPermissions ?? null]);
const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway.InternetGatewayId;
await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable.RouteTableId;
await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
const association = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnet }));
out("associate route table", association.AssociationState.State);
const shown = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }))).RouteTables[0];
out("routes", shown.Routes.map((r) => [r.DestinationCidrBlock, r.GatewayId === igw ? "igw" : r.GatewayId, r.State, r.Origin]));
out("route associations", shown.Associations.map((a) => [a.Main, a.SubnetId === subnet, a.AssociationState.State]));
out("propagating", shown.PropagatingVgws);
await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc, Attribute: "enableDnsHostnames" }));
const support = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc, Attribute: "enableDnsSupport" }));
out("vpc attributes", [dns.EnableDnsHostnames, support.EnableDnsSupport, dns.EnableDnsSupport ?? null]);
const platforms = (await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ["supported-platforms", "max-instances"] }))).AccountAttributes;
out("account attributes", platforms.map((a) => [a.AttributeName, a.AttributeValues.length > 0]));
const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1a"] }))).AvailabilityZones[0];
out("zone", [zones.ZoneName, zones.ZoneId, zones.State, zones.Messages, zones.RegionName]);

const ami = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
const lt = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "shapes", LaunchTemplateData: { ImageId: ami, InstanceType: "c5.large",
  BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 30, VolumeType: "gp3", DeleteOnTermination: true, Encrypted: false } }],
  NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [sg] }],
  MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 }, Monitoring: { Enabled: true },
  TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "web" }] }] } }))).LaunchTemplate;
await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: lt.LaunchTemplateId, SourceVersion: "1", LaunchTemplateData: { InstanceType: "c5.xlarge" } }));
await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: lt.LaunchTemplateId, LaunchTemplateData: { InstanceType: "t3.micro" } }));
const versions = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.LaunchTemplateId, Versions: ["2"] }))).LaunchTemplateVersions;
const data = versions[0].LaunchTemplateData;
out("template data", [data.ImageId === ami, data.InstanceType, data.BlockDeviceMappings[0].Ebs, data.NetworkInterfaces[0].AssociatePublicIpAddress,
  data.NetworkInterfaces[0].Groups.length, data.MetadataOptions, data.Monitoring.Enabled, data.TagSpecifications[0].Tags, versions[0].DefaultVersion, isDate(versions[0].CreateTime)]);
const deleted = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.LaunchTemplateId, Versions: ["3", "1", "7"] }));
out("delete versions", [deleted.SuccessfullyDeletedLaunchTemplateVersions.map((v) => v.VersionNumber),
  deleted.UnsuccessfullyDeletedLaunchTemplateVersions.map((v) => [v.VersionNumber, v.ResponseError.Code])]);

await iam.send(new CreateRoleCommand({ RoleName: "ecsInstanceRole", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "c5.large", SubnetId: subnet, MinCount: 1, MaxCount: 1, DisableApiTermination: true,
  EbsOptimized: true, Monitoring: { Enabled: true }, InstanceInitiatedShutdownBehavior: "terminate", DisableApiStop: true }));
const iid = run.Instances[0].InstanceId;
await clock("advance", { seconds: 60 });
const attribute = async (Attribute) => ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: iid, Attribute }));
out("instance attributes", [(await attribute("disableApiTermination")).DisableApiTermination, (await attribute("sourceDestCheck")).SourceDestCheck,
  (await attribute("instanceType")).InstanceType, (await attribute("groupSet")).Groups.length, (await attribute("userData")).UserData]);
out("launch options", [run.Instances[0].EbsOptimized, run.Instances[0].Monitoring, (await attribute("ebsOptimized")).EbsOptimized,
  (await attribute("instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior, (await attribute("disableApiStop")).DisableApiStop]);
try { await ec2.send(new StopInstancesCommand({ InstanceIds: [iid] })); out("stop protected", "stopped"); }
catch (e) { out("stop protected", [e.name, e.$metadata.httpStatusCode, e.message === `The instance '${iid}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`]); }
const trunk = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, InterfaceType: "trunk" }))).NetworkInterface.NetworkInterfaceId;
const branch = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet, InterfaceType: "branch" }))).NetworkInterface.NetworkInterfaceId;
await ec2.send(new AttachNetworkInterfaceCommand({ NetworkInterfaceId: trunk, InstanceId: iid, DeviceIndex: 1 }));
const linked = await ec2.send(new AssociateTrunkInterfaceCommand({ BranchInterfaceId: branch, TrunkInterfaceId: trunk, VlanId: 100, ClientToken: "shapes-1" }));
out("trunk association", [linked.InterfaceAssociation.VlanId, linked.InterfaceAssociation.InterfaceProtocol, linked.InterfaceAssociation.Tags, linked.ClientToken]);
const listed = (await ec2.send(new DescribeTrunkInterfaceAssociationsCommand({ AssociationIds: [linked.InterfaceAssociation.AssociationId] }))).InterfaceAssociations;
out("trunk associations", listed.map((a) => [a.BranchInterfaceId === branch, a.TrunkInterfaceId === trunk, a.VlanId]));
const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [trunk] }))).NetworkInterfaces[0];
out("trunk eni", [eni.InterfaceType, eni.Status, eni.Attachment.DeviceIndex, isDate(eni.Attachment.AttachTime), eni.Attachment.DeleteOnTermination,
  eni.RequesterManaged, eni.SourceDestCheck, eni.PrivateIpAddresses.map((a) => a.Primary), eni.Ipv6Addresses, eni.TagSet]);
await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
out("addresses attribute", (await ec2.send(new DescribeAddressesAttributeCommand({ Attribute: "domain-name" }))).Addresses);
out("empty filter result", (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:none", Values: ["x"] }] }))).Vpcs);

// --- IAM, STS, SSM: simulation results, versions, access keys, sessions, invalid names --------------
await iam.send(new PutRolePolicyCommand({ RoleName: "ecsInstanceRole", PolicyName: "ecs", PolicyDocument: JSON.stringify({ Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecs:*", Resource: "*" }, { Effect: "Deny", Action: "ecs:DeleteCluster", Resource: "*" }] }) }));
const simulated = (await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: "arn:aws:iam::123456789012:role/ecsInstanceRole",
  ActionNames: ["ecs:RunTask", "ecs:DeleteCluster", "s3:GetObject"] }))).EvaluationResults;
out("simulation", simulated.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements.length, r.MissingContextValues]));
const document = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }] });
const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: "read", PolicyDocument: document, Description: "read only" }))).Policy;
await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policy.Arn, PolicyDocument: document, SetAsDefault: true }));
out("policy versions", (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.Arn }))).Versions.map((v) => [v.VersionId, v.IsDefaultVersion, isDate(v.CreateDate), v.Document ?? null]));
await iam.send(new AttachRolePolicyCommand({ RoleName: "ecsInstanceRole", PolicyArn: policy.Arn }));
const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policy.Arn }));
out("entities", [entities.PolicyRoles.map((r) => r.RoleName), entities.PolicyUsers, entities.PolicyGroups, entities.IsTruncated]);
const role = (await iam.send(new GetRoleCommand({ RoleName: "ecsInstanceRole" }))).Role;
out("role", [role.MaxSessionDuration, role.Path, role.RoleLastUsed, role.Tags ?? null, role.Description ?? null]);
const slr = (await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "ecs.amazonaws.com", Description: "ECS" }))).Role;
out("service-linked role", [slr.Path, slr.Description, JSON.parse(decodeURIComponent(slr.AssumeRolePolicyDocument)).Statement[0].Principal]);
out("delete service-linked role", (await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: slr.RoleName }))).DeletionTaskId.startsWith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"));
await iam.send(new CreateUserCommand({ UserName: "dev" }));
const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "dev" }))).AccessKey;
await iam.send(new UpdateAccessKeyCommand({ UserName: "dev", AccessKeyId: key.AccessKeyId, Status: "Inactive" }));
out("access keys", (await iam.send(new ListAccessKeysCommand({ UserName: "dev" }))).AccessKeyMetadata.map((k) => [k.Status, isDate(k.CreateDate), k.AccessKeyId === key.AccessKeyId]));
await iam.send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] }) }));
const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/deployer", RoleSessionName: "shapes", DurationSeconds: 900 }));
const now = (await clock("advance", { seconds: 0 })).epochSeconds;
// The expiry is written in whole seconds, the clock is not.
out("assume role", [Math.abs(assumed.Credentials.Expiration.getTime() / 1000 - now - 900) < 1, assumed.AssumedRoleUser.Arn, assumed.PackedPolicySize ?? null]);
const parameters = await ssm.send(new GetParametersCommand({ Names: ["/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id", "/no/such", "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id:1"] }));
out("ssm parameters", [parameters.Parameters.map((p) => [p.DataType, p.Type, isDate(p.LastModifiedDate), p.Value.startsWith("ami-")]), parameters.InvalidParameters]);

// --- ECS: maps, task definition lifecycle, services, account settings ------------------------------
await ecs.send(new CreateClusterCommand({ clusterName: "shapes", settings: [{ name: "containerInsights", value: "enabled" }] }));
const registered = (await ecs.send(new RegisterTaskDefinitionCommand({ family: "web", networkMode: "awsvpc", requiresCompatibilities: ["EC2"], cpu: "256", memory: "512",
  containerDefinitions: [{ name: "web", image: "nginx", memory: 128, cpu: 64, essential: true, portMappings: [{ containerPort: 80 }],
    environment: [{ name: "A", value: "1" }], dockerLabels: { team: "web", "com.example/tier": "front" }, healthCheck: { command: ["CMD-SHELL", "true"], interval: 10 },
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web" } },
    ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 4096 }], linuxParameters: { initProcessEnabled: true } }],
  volumes: [{ name: "data", host: { sourcePath: "/srv" } }], tags: [{ key: "t", value: "1" }] }))).taskDefinition;
const container = registered.containerDefinitions[0];
out("container", [container.dockerLabels, container.logConfiguration.options["awslogs-group"], container.portMappings, container.healthCheck,
  container.ulimits, container.linuxParameters, container.mountPoints, container.volumesFrom]);
out("task definition", [registered.revision, registered.status, registered.compatibilities, registered.requiresAttributes.map((a) => a.name).sort(),
  isDate(registered.registeredAt), registered.volumes]);
const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web", include: ["TAGS"] }));
out("described tags", described.tags);
await ecs.send(new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "web", image: "nginx", memory: 64 }] }));
const inactive = (await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }))).taskDefinition;
out("deregistered", [inactive.status, isDate(inactive.deregisteredAt)]);
const removed = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["web:1", "web:2"] }));
out("delete task definitions", [removed.taskDefinitions.map((t) => [t.revision, t.status, isDate(t.deleteRequestedAt)]), removed.failures.map((f) => [f.reason, f.detail])]);
const service = (await ecs.send(new CreateServiceCommand({ cluster: "shapes", serviceName: "web", taskDefinition: "web:2", desiredCount: 0,
  deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 50, deploymentCircuitBreaker: { enable: true, rollback: true } },
  tags: [{ key: "s", value: "1" }], propagateTags: "SERVICE" }))).service;
out("service", [service.deploymentConfiguration, service.deployments.map((d) => [d.status, d.rolloutState, isDate(d.createdAt)]), service.loadBalancers,
  service.placementStrategy, service.schedulingStrategy, service.deploymentController, service.propagateTags, service.tags]);
const changed = (await ecs.send(new UpdateServiceCommand({ cluster: "shapes", service: "web", deploymentConfiguration: { maximumPercent: 150 }, healthCheckGracePeriodSeconds: 30 }))).service;
out("update service", [changed.deploymentConfiguration, changed.healthCheckGracePeriodSeconds, changed.deployments.length]);
const services = await ecs.send(new DescribeServicesCommand({ cluster: "shapes", services: ["web", "nope"], include: ["TAGS"] }));
out("describe services", [services.services.map((s) => [s.serviceName, s.tags]), services.failures.map((f) => f.reason)]);
await ecs.send(new TagResourceCommand({ resourceArn: service.serviceArn, tags: [{ key: "more", value: "" }] }));
out("service tags", (await ecs.send(new ListTagsForResourceCommand({ resourceArn: service.serviceArn }))).tags);
await ecs.send(new PutAccountSettingDefaultCommand({ name: "awsvpcTrunking", value: "enabled" }));
out("account setting", (await ecs.send(new ListAccountSettingsCommand({ name: "awsvpcTrunking", effectiveSettings: true }))).settings.map((s) => [s.value, s.type]));
const fargate = (await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ["FARGATE", "nope"] })));
out("capacity providers", [fargate.capacityProviders.map((p) => [p.name, p.status, p.tags]), fargate.failures.map((f) => f.reason)]);

// --- Auto Scaling: floats and nested step adjustments, hooks, tags -------------------------------
await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "shapes", MinSize: 0, MaxSize: 2, DesiredCapacity: 0,
  LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId }, VPCZoneIdentifier: subnet }));
await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: "shapes", PolicyName: "cpu", PolicyType: "TargetTrackingScaling",
  TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: "ASGAverageCPUUtilization" }, TargetValue: 62.5, DisableScaleIn: true } }));
await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: "shapes", PolicyName: "steps", PolicyType: "StepScaling", AdjustmentType: "ChangeInCapacity",
  StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10.5, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 10.5, ScalingAdjustment: 2 }] }));
const policies = (await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: "shapes" }))).ScalingPolicies;
out("scaling policies", policies.map((p) => [p.PolicyName, p.PolicyType, p.Enabled, p.TargetTrackingConfiguration?.TargetValue ?? null,
  p.TargetTrackingConfiguration?.DisableScaleIn ?? null, p.StepAdjustments, p.Alarms]).sort());
await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: "shapes", LifecycleHookName: "drain", LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", HeartbeatTimeout: 120, NotificationMetadata: "m" }));
out("hooks", (await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: "shapes" }))).LifecycleHooks.map((h) => [h.LifecycleHookName, h.HeartbeatTimeout, h.GlobalTimeout, h.DefaultResult, h.NotificationMetadata]));
await asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: "shapes", ResourceType: "auto-scaling-group", Key: "team", Value: "", PropagateAtLaunch: false }] }));
out("asg tags", (await asg.send(new DescribeTagsCommand({ Filters: [{ Name: "auto-scaling-group", Values: ["shapes"] }] }))).Tags.map((t) => [t.Key, t.Value, t.PropagateAtLaunch]));

// --- CloudWatch Logs: epoch milliseconds, maps, stream ordering -----------------------------------
await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/shapes", tags: { team: "web" } }));
await logs.send(new CreateLogStreamCommand({ logGroupName: "/ecs/shapes", logStreamName: "a" }));
const at = 1796000000123;
await logs.send(new PutLogEventsCommand({ logGroupName: "/ecs/shapes", logStreamName: "a", logEvents: [{ timestamp: at, message: "one" }, { timestamp: at + 1000, message: "two" }] }));
const stream = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/ecs/shapes" }))).logStreams[0];
out("log stream", [stream.logStreamName, stream.firstEventTimestamp, stream.lastEventTimestamp, typeof stream.creationTime, typeof stream.lastIngestionTime]);
const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: "/ecs/shapes", filterPattern: "two" }))).events;
out("filtered", events.map((e) => [e.logStreamName, e.timestamp, e.message, typeof e.ingestionTime]));
const groupArn = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/shapes" }))).logGroups[0].arn;
out("log group tags", (await logs.send(new ListLogTagsCommand({ resourceArn: groupArn.replace(/:\*$/, "") }))).tags);
