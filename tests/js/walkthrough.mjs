// The README's trunking walk-through with the AWS SDK for JavaScript v3.
import { ECSClient, CreateClusterCommand, PutAccountSettingCommand, ListContainerInstancesCommand,
  DescribeContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, ListTasksCommand,
  DescribeTasksCommand, ListAttributesCommand } from "@aws-sdk/client-ecs";
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, RunInstancesCommand,
  DescribeNetworkInterfacesCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { IAMClient, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand,
  CreateServiceLinkedRoleCommand } from "@aws-sdk/client-iam";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
const ecs = new ECSClient(base), ec2 = new EC2Client(base), iam = new IAMClient(base), ssm = new SSMClient(base), sts = new STSClient(base);
const advance = async (seconds) => (await fetch(`${endpoint}/_trunkline/clock/advance`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ seconds }) })).json();
const out = (k, v) => console.log(JSON.stringify([k, v]));

out("account", (await sts.send(new GetCallerIdentityCommand({}))).Account);
out("slr", (await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "ecs.amazonaws.com" }))).Role.RoleName);
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = (await iam.send(new CreateRoleCommand({ RoleName: "ecsInstanceRole", AssumeRolePolicyDocument: trust }))).Role;
out("role", role.Arn);
out("createDate is a Date", role.CreateDate instanceof Date);
await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }));
await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole", RoleName: "ecsInstanceRole" }));
out("setting", (await ecs.send(new PutAccountSettingCommand({ name: "awsvpcTrunking", value: "enabled", principalArn: role.Arn }))).setting.value);
out("cluster", (await ecs.send(new CreateClusterCommand({ clusterName: "trunks" }))).cluster.status);
const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc.VpcId;
const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet.SubnetId;
const ami = (await ssm.send(new GetParameterCommand({ Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }))).Parameter.Value;
const userData = Buffer.from("#!/bin/bash\necho ECS_CLUSTER=trunks >> /etc/ecs/ecs.config\n").toString("base64");
const run = await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "c5.large", SubnetId: subnet, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: "ecsInstanceRole" }, UserData: userData }));
const iid = run.Instances[0].InstanceId;
out("instance state", run.Instances[0].State.Name);
await advance(35);
const arn = (await ecs.send(new ListContainerInstancesCommand({ cluster: "trunks" }))).containerInstanceArns[0];
out("status", (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "trunks", containerInstances: [arn] }))).containerInstances[0].status);
await advance(10);
const ci = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: "trunks", containerInstances: [arn] }))).containerInstances[0];
out("active", [ci.status, ci.attachments[0].type, ci.attachments[0].status, ci.registeredAt instanceof Date]);
out("trunk attribute", (await ecs.send(new ListAttributesCommand({ cluster: "trunks", targetType: "container-instance", attributeName: "ecs.awsvpc-trunk-id" }))).attributes.map((a) => a.name));
const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [iid] }] }))).NetworkInterfaces;
out("enis", enis.map((e) => [e.Attachment.DeviceIndex, e.InterfaceType]).sort());
await ecs.send(new RegisterTaskDefinitionCommand({ family: "web", networkMode: "awsvpc", requiresCompatibilities: ["EC2"], containerDefinitions: [{ name: "web", image: "nginx", memory: 128, cpu: 64 }] }));
for (const count of [10, 1]) {
  const r = await ecs.send(new RunTaskCommand({ cluster: "trunks", taskDefinition: "web", count, launchType: "EC2", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }));
  out(`run ${count}`, [r.tasks.length, r.failures.map((f) => f.reason)]);
}
await fetch(`${endpoint}/_trunkline/clock/settle`, { method: "POST" });
const running = (await ecs.send(new ListTasksCommand({ cluster: "trunks", desiredStatus: "RUNNING" }))).taskArns;
out("running", running.length);
const described = (await ecs.send(new DescribeTasksCommand({ cluster: "trunks", tasks: running.slice(0, 2) }))).tasks;
out("task", [described[0].lastStatus, described[0].attachments[0].type, described[0].startedAt instanceof Date]);
const ins = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [iid] }))).Reservations[0].Instances[0];
out("instance", [ins.State.Name, ins.LaunchTime instanceof Date, ins.NetworkInterfaces.length]);
// Errors: the SDK's typed exceptions and AWS's texts.
for (const [label, call] of [
  ["ecs unknown cluster", () => ecs.send(new DescribeContainerInstancesCommand({ cluster: "nope", containerInstances: [arn] }))],
  ["ecs bad count", () => ecs.send(new RunTaskCommand({ cluster: "trunks", taskDefinition: "web", count: 11 }))],
  ["ec2 bad instance", () => ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] }))],
  ["iam no role", () => iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole", RoleName: "nope" }))],
  ["ssm no parameter", () => ssm.send(new GetParameterCommand({ Name: "/no/such" }))],
]) {
  try { await call(); out(label, "no error"); }
  catch (e) { out(label, [e.name, e.$metadata?.httpStatusCode, e.message]); }
}
