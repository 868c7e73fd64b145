// Paginators and waiters of the AWS SDK for JavaScript v3: the SDK follows nextToken / NextToken /
// Marker itself and its waiters read the answers with their own JMESPath-like acceptors.
import { ECSClient, CreateClusterCommand, PutAccountSettingDefaultCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  paginateListTasks, paginateListContainerInstances, paginateListTaskDefinitions, paginateListClusters, paginateListAttributes,
  paginateListAccountSettings, paginateListServices, paginateListTaskDefinitionFamilies, CreateServiceCommand,
  waitUntilTasksRunning, waitUntilTasksStopped, waitUntilServicesStable, StopTaskCommand, DescribeTasksCommand,
  waitUntilServicesInactive, DeleteServiceCommand } from "@aws-sdk/client-ecs";
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, RunInstancesCommand, CreateNetworkInterfaceCommand,
  paginateDescribeNetworkInterfaces, paginateDescribeInstances, paginateDescribeSubnets, paginateDescribeInstanceTypes,
  paginateDescribeSecurityGroups, paginateDescribeVpcs, paginateDescribeImages, paginateDescribeTags, paginateDescribeRouteTables,
  paginateDescribeLaunchTemplates, paginateDescribeLaunchTemplateVersions, paginateDescribeSecurityGroupRules,
  paginateDescribeIamInstanceProfileAssociations, paginateDescribeTrunkInterfaceAssociations, paginateDescribeNatGateways, paginateDescribeInternetGateways,
  paginateDescribeNetworkAcls,
  waitUntilInstanceRunning, waitUntilInstanceExists, waitUntilNetworkInterfaceAvailable, waitUntilSubnetAvailable, waitUntilVpcAvailable,
  waitUntilInstanceTerminated, TerminateInstancesCommand, CreateLaunchTemplateCommand, waitUntilNatGatewayAvailable, waitUntilNatGatewayDeleted,
  waitUntilInstanceStopped, StopInstancesCommand, waitUntilSecurityGroupExists, waitUntilInternetGatewayExists, waitUntilVpcExists, waitUntilImageAvailable,
  waitUntilImageExists, waitUntilInstanceStatusOk, waitUntilSystemStatusOk, paginateDescribeInstanceStatus, CreateInternetGatewayCommand, AttachInternetGatewayCommand, AllocateAddressCommand, CreateNatGatewayCommand, DeleteNatGatewayCommand, CreateSecurityGroupCommand } from "@aws-sdk/client-ec2";
import { IAMClient, CreatePolicyCommand, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand, CreateUserCommand,
  paginateListRoles, paginateListUsers, paginateListPolicies, paginateListInstanceProfiles, paginateListAttachedRolePolicies, paginateListRoleTags,
  waitUntilRoleExists, waitUntilInstanceProfileExists, waitUntilUserExists, waitUntilPolicyExists } from "@aws-sdk/client-iam";
import { SSMClient, paginateGetParametersByPath } from "@aws-sdk/client-ssm";
import { AutoScalingClient, paginateDescribeAutoScalingGroups, paginateDescribeScalingActivities, paginateDescribeTags as paginateAsgTags, CreateAutoScalingGroupCommand,
  waitUntilGroupExists, waitUntilGroupInService, waitUntilGroupNotExists, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, paginateDescribeLogGroups, paginateDescribeLogStreams,
  paginateFilterLogEvents, paginateGetLogEvents } from "@aws-sdk/client-cloudwatch-logs";

const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
const ecs = new ECSClient(base), ec2 = new EC2Client(base), iam = new IAMClient(base), ssm = new SSMClient(base), asg = new AutoScalingClient(base), logs = new CloudWatchLogsClient(base);
const clock = async (what, body) => (await fetch(`${endpoint}/_trunkline/clock/${what}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) })).json();
const out = (k, v) => console.log(JSON.stringify([k, v]));
// Every page's item count and the total, through the SDK's paginator.
const pages = async (label, paginator, key) => {
  const sizes = [];
  try { for await (const page of paginator) sizes.push(page[key].length); out(label, sizes); }
  catch (e) { out(label, ["error", e.name, e.message, sizes]); }
};
// A waiter's outcome: its state, or for a failure the state and the error it saw (the waiters'
// acceptors match AWS's error codes by name). The first poll is immediate; state is settled first.
const wait = async (label, waiter, client, input, maxWaitTime = 5) => {
  try { out(label, (await waiter({ client, maxWaitTime, minDelay: 0.05, maxDelay: 0.1 }, input)).state); }
  catch (e) {
    const result = JSON.parse(e.message);
    out(label, [result.state, result.reason?.name ?? result.reason?.Error?.Code ?? null]);
  }
};

const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
for (let i = 0; i < 5; i++) {
  await iam.send(new CreateRoleCommand({ RoleName: `role${i}`, AssumeRolePolicyDocument: trust, Path: "/p/", Tags: [{ Key: "a", Value: `${i}` }, { Key: "b", Value: "x" }] }));
  await iam.send(new CreateUserCommand({ UserName: `user${i}` }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `prof${i}` }));
}
await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "prof0", RoleName: "role0" }));
await pages("iam roles", paginateListRoles({ client: iam, pageSize: 2 }, { PathPrefix: "/p/" }), "Roles");
await pages("iam users", paginateListUsers({ client: iam, pageSize: 2 }, {}), "Users");
await pages("iam profiles", paginateListInstanceProfiles({ client: iam, pageSize: 4 }, {}), "InstanceProfiles");
await pages("iam role tags", paginateListRoleTags({ client: iam, pageSize: 1 }, { RoleName: "role1" }), "Tags");
await pages("iam aws policies", paginateListPolicies({ client: iam, pageSize: 100 }, { Scope: "AWS", PathPrefix: "/service-role/" }), "Policies");
await wait("wait role", waitUntilRoleExists, iam, { RoleName: "role0" });
await wait("wait profile", waitUntilInstanceProfileExists, iam, { InstanceProfileName: "prof0" });
await wait("wait user", waitUntilUserExists, iam, { UserName: "user0" });
await pages("ssm by path", paginateGetParametersByPath({ client: ssm, pageSize: 2 }, { Path: "/aws/service/ecs/optimized-ami/amazon-linux-2023", Recursive: true }), "Parameters");

await ecs.send(new PutAccountSettingDefaultCommand({ name: "awsvpcTrunking", value: "enabled" }));
await pages("ecs account settings", paginateListAccountSettings({ client: ecs, pageSize: 3 }, { effectiveSettings: true }), "settings");
for (const name of ["a", "b", "c"]) await ecs.send(new CreateClusterCommand({ clusterName: name }));
await pages("ecs clusters", paginateListClusters({ client: ecs, pageSize: 2 }, {}), "clusterArns");
const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc.VpcId;
await wait("wait vpc", waitUntilVpcAvailable, ec2, { VpcIds: [vpc] });
const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet.SubnetId;
await wait("wait subnet", waitUntilSubnetAvailable, ec2, { SubnetIds: [subnet] });
const eni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnet }))).NetworkInterface.NetworkInterfaceId;
await wait("wait eni", waitUntilNetworkInterfaceAvailable, ec2, { NetworkInterfaceIds: [eni] });
await iam.send(new CreateRoleCommand({ RoleName: "ecsInstanceRole", AssumeRolePolicyDocument: trust }));
await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }));
await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole", RoleName: "ecsInstanceRole" }));
const userData = Buffer.from("#!/bin/bash\necho ECS_CLUSTER=a >> /etc/ecs/ecs.config\n").toString("base64");
const ami = process.env.AMI ?? "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "c5.large", SubnetId: subnet, MinCount: 3, MaxCount: 3,
  IamInstanceProfile: { Name: "ecsInstanceRole" }, UserData: userData, TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "k", Value: "v" }] }] }));
const iids = run.Instances.map((i) => i.InstanceId);
out("run from resolve:ssm", [run.Instances.length, run.Instances[0].ImageId.startsWith("ami-")]);
await wait("wait instance exists", waitUntilInstanceExists, ec2, { InstanceIds: iids });
await clock("advance", { seconds: 60 });
await wait("wait instance running", waitUntilInstanceRunning, ec2, { InstanceIds: iids });
await pages("ec2 instances", paginateDescribeInstances({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "tag:k", Values: ["v"] }] }), "Reservations");
await pages("ec2 enis", paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "vpc-id", Values: [vpc] }] }), "NetworkInterfaces");
await pages("ec2 subnets", paginateDescribeSubnets({ client: ec2, pageSize: 5 }, {}), "Subnets");
await pages("ec2 vpcs", paginateDescribeVpcs({ client: ec2, pageSize: 5 }, {}), "Vpcs");
await pages("ec2 security groups", paginateDescribeSecurityGroups({ client: ec2, pageSize: 5 }, {}), "SecurityGroups");
await pages("ec2 security group rules", paginateDescribeSecurityGroupRules({ client: ec2, pageSize: 5 }, {}), "SecurityGroupRules");
await pages("ec2 route tables", paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, {}), "RouteTables");
await pages("ec2 network acls", paginateDescribeNetworkAcls({ client: ec2, pageSize: 5 }, {}), "NetworkAcls");
await pages("ec2 internet gateways", paginateDescribeInternetGateways({ client: ec2, pageSize: 5 }, {}), "InternetGateways");
await pages("ec2 tags", paginateDescribeTags({ client: ec2, pageSize: 5 }, {}), "Tags");
await pages("ec2 instance types", paginateDescribeInstanceTypes({ client: ec2, pageSize: 100 }, {}), "InstanceTypes");
await pages("ec2 images", paginateDescribeImages({ client: ec2, pageSize: 5 }, { Owners: ["amazon"] }), "Images");
await pages("ec2 profile associations", paginateDescribeIamInstanceProfileAssociations({ client: ec2, pageSize: 5 }, {}), "IamInstanceProfileAssociations");
await pages("ec2 nat gateways", paginateDescribeNatGateways({ client: ec2, pageSize: 5 }, {}), "NatGateways");
await pages("ecs container instances", paginateListContainerInstances({ client: ecs, pageSize: 2 }, { cluster: "a" }), "containerInstanceArns");
await pages("ecs attributes", paginateListAttributes({ client: ecs, pageSize: 100 }, { cluster: "a", targetType: "container-instance" }), "attributes");
for (const family of ["web", "web", "web", "api"]) await ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: "awsvpc", requiresCompatibilities: ["EC2"],
  containerDefinitions: [{ name: "web", image: "nginx", memory: 64, cpu: 32 }] }));
await pages("ecs task definitions", paginateListTaskDefinitions({ client: ecs, pageSize: 3 }, {}), "taskDefinitionArns");
await pages("ecs families", paginateListTaskDefinitionFamilies({ client: ecs, pageSize: 1 }, {}), "families");
const r = await ecs.send(new RunTaskCommand({ cluster: "a", taskDefinition: "web", count: 7, launchType: "EC2", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }));
out("ran", [r.tasks.length, r.failures]);
const arns = r.tasks.map((t) => t.taskArn);
await clock("settle");
await wait("wait tasks running", waitUntilTasksRunning, ecs, { cluster: "a", tasks: arns });
await pages("ecs tasks", paginateListTasks({ client: ecs, pageSize: 3 }, { cluster: "a" }), "taskArns");
await pages("ec2 trunk associations", paginateDescribeTrunkInterfaceAssociations({ client: ec2, pageSize: 5 }, {}), "InterfaceAssociations");
await pages("ec2 branch enis", paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "interface-type", Values: ["branch"] }] }), "NetworkInterfaces");
await ecs.send(new CreateServiceCommand({ cluster: "a", serviceName: "s", taskDefinition: "web", desiredCount: 1, networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }));
await ecs.send(new CreateServiceCommand({ cluster: "a", serviceName: "t", taskDefinition: "web", desiredCount: 0, networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }));
await clock("settle");
await wait("wait services stable", waitUntilServicesStable, ecs, { cluster: "a", services: ["s", "t"] });
await pages("ecs services", paginateListServices({ client: ecs, pageSize: 1 }, { cluster: "a" }), "serviceArns");
for (const task of arns.slice(0, 2)) await ecs.send(new StopTaskCommand({ cluster: "a", task }));
await clock("settle");
await wait("wait tasks stopped", waitUntilTasksStopped, ecs, { cluster: "a", tasks: arns.slice(0, 2) });
await wait("wait tasks running (some stopped)", waitUntilTasksRunning, ecs, { cluster: "a", tasks: arns.slice(0, 3) });
await logs.send(new CreateLogGroupCommand({ logGroupName: "/g/0" }));
for (let i = 1; i < 4; i++) await logs.send(new CreateLogGroupCommand({ logGroupName: `/g/${i}` }));
for (let i = 0; i < 3; i++) await logs.send(new CreateLogStreamCommand({ logGroupName: "/g/0", logStreamName: `s${i}` }));
const now = Date.now();
await logs.send(new PutLogEventsCommand({ logGroupName: "/g/0", logStreamName: "s0", logEvents: [0, 1, 2, 3, 4].map((i) => ({ timestamp: now + i, message: `m${i}` })) }));
await pages("logs groups", paginateDescribeLogGroups({ client: logs, pageSize: 2 }, { logGroupNamePrefix: "/g/" }), "logGroups");
await pages("logs streams", paginateDescribeLogStreams({ client: logs, pageSize: 2 }, { logGroupName: "/g/0" }), "logStreams");
await pages("logs filter", paginateFilterLogEvents({ client: logs, pageSize: 2 }, { logGroupName: "/g/0" }), "events");
// GetLogEvents answers the token it was sent once the stream is read to its end (AWS's documented
// end marker): the SDK's paginator stops there only with stopOnSameToken.
await pages("logs get events", paginateGetLogEvents({ client: logs, pageSize: 2, stopOnSameToken: true }, { logGroupName: "/g/0", logStreamName: "s0", startFromHead: true }), "events");
await pages("logs get events backwards", paginateGetLogEvents({ client: logs, pageSize: 2, stopOnSameToken: true }, { logGroupName: "/g/0", logStreamName: "s0" }), "events");
const lt = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "ecs-lt", LaunchTemplateData: { ImageId: ami, InstanceType: "c5.large" } }))).LaunchTemplate;
await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "g", MinSize: 1, MaxSize: 2, DesiredCapacity: 1, LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId }, VPCZoneIdentifier: subnet }));
await wait("wait asg exists", waitUntilGroupExists, asg, { AutoScalingGroupNames: ["g"] });
await clock("advance", { seconds: 120 });
await wait("wait asg in service", waitUntilGroupInService, asg, { AutoScalingGroupNames: ["g"] });
await pages("asg groups", paginateDescribeAutoScalingGroups({ client: asg, pageSize: 1 }, {}), "AutoScalingGroups");
await pages("asg activities", paginateDescribeScalingActivities({ client: asg, pageSize: 1 }, { AutoScalingGroupName: "g" }), "Activities");
// Status checks pass 120 s after an instance reached running: the first three have, the group's new
// instance has not (its checks are still initializing).
await pages("ec2 instance status", paginateDescribeInstanceStatus({ client: ec2, pageSize: 5 }, { IncludeAllInstances: true }), "InstanceStatuses");
await wait("wait instance status ok", waitUntilInstanceStatusOk, ec2, { InstanceIds: iids });
await wait("wait system status ok", waitUntilSystemStatusOk, ec2, { InstanceIds: iids });
const fresh = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["g"] }))).AutoScalingGroups[0].Instances[0].InstanceId;
await wait("wait fresh instance status ok", waitUntilInstanceStatusOk, ec2, { InstanceIds: [fresh] }, 0.15);
await ec2.send(new TerminateInstancesCommand({ InstanceIds: iids.slice(0, 1) }));
await clock("settle");
await wait("wait instance terminated", waitUntilInstanceTerminated, ec2, { InstanceIds: iids.slice(0, 1) });

// Waiters whose acceptors read error codes: a missing resource is RETRY for the "exists" waiters
// (they time out), FAILURE for NetworkInterfaceAvailable, SUCCESS for NatGatewayDeleted.
await wait("wait missing eni", waitUntilNetworkInterfaceAvailable, ec2, { NetworkInterfaceIds: ["eni-0123456789abcdef0"] });
await wait("wait missing nat deleted", waitUntilNatGatewayDeleted, ec2, { NatGatewayIds: ["nat-0123456789abcdef0"] });
await wait("wait missing vpc exists", waitUntilVpcExists, ec2, { VpcIds: ["vpc-0123456789abcdef0"] }, 0.15);
await wait("wait missing role exists", waitUntilRoleExists, iam, { RoleName: "nope" }, 0.15);
await wait("wait missing instance exists", waitUntilInstanceExists, ec2, { InstanceIds: ["i-0123456789abcdef0"] }, 0.15);
await wait("wait missing instance running", waitUntilInstanceRunning, ec2, { InstanceIds: ["i-0123456789abcdef0"] }, 0.15);
await wait("wait missing security group exists", waitUntilSecurityGroupExists, ec2, { GroupIds: ["sg-0123456789abcdef0"] }, 0.15);
await wait("wait missing igw exists", waitUntilInternetGatewayExists, ec2, { InternetGatewayIds: ["igw-0123456789abcdef0"] }, 0.15);
await wait("wait missing image exists", waitUntilImageExists, ec2, { ImageIds: ["ami-0123456789abcdef0"] }, 0.15);
await wait("wait missing tasks running", waitUntilTasksRunning, ecs, { cluster: "a", tasks: ["0123456789abcdef0123456789abcdef"] });
await wait("wait missing services stable", waitUntilServicesStable, ecs, { cluster: "a", services: ["nope"] });
const image = run.Instances[0].ImageId;
await wait("wait image available", waitUntilImageAvailable, ec2, { ImageIds: [image] });
await wait("wait vpc exists", waitUntilVpcExists, ec2, { VpcIds: [vpc] });
const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web", VpcId: vpc }))).GroupId;
await wait("wait security group exists", waitUntilSecurityGroupExists, ec2, { GroupIds: [sg] });
const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway.InternetGatewayId;
await wait("wait igw exists", waitUntilInternetGatewayExists, ec2, { InternetGatewayIds: [igw] });
await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
const eip = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId;
const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eip }))).NatGateway.NatGatewayId;
await clock("settle");
await wait("wait nat available", waitUntilNatGatewayAvailable, ec2, { NatGatewayIds: [nat] });
await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
await clock("settle");
await wait("wait nat deleted", waitUntilNatGatewayDeleted, ec2, { NatGatewayIds: [nat] });
await ec2.send(new StopInstancesCommand({ InstanceIds: iids.slice(1, 2) }));
await clock("settle");
await wait("wait instance stopped", waitUntilInstanceStopped, ec2, { InstanceIds: iids.slice(1, 2) });
await ecs.send(new DeleteServiceCommand({ cluster: "a", service: "t" }));
await clock("settle");
await wait("wait services inactive", waitUntilServicesInactive, ecs, { cluster: "a", services: ["t"] });
await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: "g", ForceDelete: true }));
await clock("settle");
await wait("wait asg not exists", waitUntilGroupNotExists, asg, { AutoScalingGroupNames: ["g"] });
const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:List*", Resource: "*" }] });
const made = (await iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: policy }))).Policy.Arn;
await wait("wait policy exists", waitUntilPolicyExists, iam, { PolicyArn: made });
