// Capacity with the AWS SDK for JavaScript v3: a launch template, an Auto Scaling group, a capacity
// provider with managed scaling, IAM managed policies, CloudWatch Logs, instance types.
import { ECSClient, CreateClusterCommand, CreateCapacityProviderCommand, PutClusterCapacityProvidersCommand,
  DescribeCapacityProvidersCommand, DescribeClustersCommand } from "@aws-sdk/client-ecs";
import { EC2Client, CreateLaunchTemplateCommand, DescribeInstanceTypesCommand, DescribeSubnetsCommand,
  DescribeLaunchTemplateVersionsCommand } from "@aws-sdk/client-ec2";
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand, DescribeScalingActivitiesCommand } from "@aws-sdk/client-auto-scaling";
import { IAMClient, CreateRoleCommand, AttachRolePolicyCommand, ListAttachedRolePoliciesCommand, GetPolicyVersionCommand,
  GetPolicyCommand } from "@aws-sdk/client-iam";
import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";

const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
const ecs = new ECSClient(base), ec2 = new EC2Client(base), asg = new AutoScalingClient(base), iam = new IAMClient(base), logs = new CloudWatchLogsClient(base);
const out = (k, v) => console.log(JSON.stringify([k, v]));

const types = (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["c5.large"] }))).InstanceTypes;
out("c5.large", [types[0].NetworkInfo.MaximumNetworkInterfaces, types[0].VCpuInfo.DefaultVCpus]);
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
await iam.send(new CreateRoleCommand({ RoleName: "ecsInstanceRole", AssumeRolePolicyDocument: trust }));
const managed = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";
await iam.send(new AttachRolePolicyCommand({ RoleName: "ecsInstanceRole", PolicyArn: managed }));
out("attached", (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "ecsInstanceRole" }))).AttachedPolicies.map((p) => p.PolicyName));
const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: managed }))).Policy;
const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: managed, VersionId: policy.DefaultVersionId }))).PolicyVersion;
out("policy document has ecs:RegisterContainerInstance", decodeURIComponent(version.Document).includes("ecs:RegisterContainerInstance"));
const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }))).Subnets;
out("default subnets", subnets.length > 0);
const lt = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "ecs", LaunchTemplateData: { ImageId: "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id", InstanceType: "c5.large" } }))).LaunchTemplate;
out("launch template", [lt.LatestVersionNumber, lt.CreateTime instanceof Date]);
const versions = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.LaunchTemplateId }))).LaunchTemplateVersions;
out("launch template versions", versions.map((v) => v.VersionNumber));
await ecs.send(new CreateClusterCommand({ clusterName: "capacity" }));
await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "ecs-asg", MinSize: 0, MaxSize: 4, DesiredCapacity: 0,
  LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId, Version: "$Latest" }, VPCZoneIdentifier: subnets.map((s) => s.SubnetId).join(","),
  NewInstancesProtectedFromScaleIn: true, Tags: [{ Key: "team", Value: "web", PropagateAtLaunch: true }] }));
const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["ecs-asg"] }))).AutoScalingGroups[0];
out("group", [group.AutoScalingGroupARN.startsWith("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"), group.MaxSize, group.NewInstancesProtectedFromScaleIn, group.CreatedTime instanceof Date]);
const cp = (await ecs.send(new CreateCapacityProviderCommand({ name: "web-cp", autoScalingGroupProvider: { autoScalingGroupArn: group.AutoScalingGroupARN,
  managedScaling: { status: "ENABLED", targetCapacity: 100 }, managedTerminationProtection: "ENABLED" } }))).capacityProvider;
out("capacity provider", [cp.status, cp.autoScalingGroupProvider.managedScaling.status, cp.autoScalingGroupProvider.managedScaling.targetCapacity]);
await ecs.send(new PutClusterCapacityProvidersCommand({ cluster: "capacity", capacityProviders: ["web-cp"], defaultCapacityProviderStrategy: [{ capacityProvider: "web-cp", weight: 1 }] }));
const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ["capacity"] }))).clusters[0];
out("cluster providers", [cluster.capacityProviders, cluster.defaultCapacityProviderStrategy.map((s) => s.capacityProvider)]);
await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: "ecs-asg", DesiredCapacity: 1 }));
out("desired", (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["ecs-asg"] }))).AutoScalingGroups[0].DesiredCapacity);
out("activities is a list", Array.isArray((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: "ecs-asg" }))).Activities));
await logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 7 }));
const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/" }))).logGroups;
out("log groups", groups.map((g) => [g.logGroupName, g.retentionInDays]));
for (const [label, call] of [
  ["asg duplicate", () => asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: "ecs-asg", MinSize: 0, MaxSize: 1, LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplateId }, VPCZoneIdentifier: subnets[0].SubnetId }))],
  ["logs duplicate", () => logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }))],
  ["cp duplicate", () => ecs.send(new CreateCapacityProviderCommand({ name: "web-cp", autoScalingGroupProvider: { autoScalingGroupArn: group.AutoScalingGroupARN } }))],
  ["iam bad policy", () => iam.send(new AttachRolePolicyCommand({ RoleName: "ecsInstanceRole", PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" }))],
]) {
  try { await call(); out(label, "no error"); }
  catch (e) { out(label, [e.name, e.$metadata?.httpStatusCode, e.message]); }
}
