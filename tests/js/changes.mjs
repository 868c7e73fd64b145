// Changing instances and volumes, prefix lists, credits, boundaries and custom-policy simulation
// (session 8's operations) through the SDK's own serialisers: EC2's protocol (`GroupId.N`,
// `BlockDeviceMapping.N.Ebs.*`, `{Value}` attribute structures, blobs as base64), the query
// protocol's `member.N` lists, and Dates parsed from XML.
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand, RunInstancesCommand, DescribeInstancesCommand,
  StopInstancesCommand, TerminateInstancesCommand, DescribeInstanceAttributeCommand, ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand, DescribeInstanceCreditSpecificationsCommand, DescribeVolumesCommand, CreateVolumeCommand,
  AttachVolumeCommand, DeleteVolumeCommand, DescribePrefixListsCommand, waitUntilVolumeAvailable, waitUntilVolumeInUse,
  waitUntilVolumeDeleted } from "@aws-sdk/client-ec2";
import { IAMClient, CreatePolicyCommand, CreateRoleCommand, PutRolePermissionsBoundaryCommand, GetRoleCommand, GetPolicyCommand,
  SimulateCustomPolicyCommand, paginateSimulateCustomPolicy } from "@aws-sdk/client-iam";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";

const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
const ec2 = new EC2Client(base), iam = new IAMClient(base), ssm = new SSMClient(base);
const clock = async (what, body) => (await fetch(`${endpoint}/_trunkline/clock/${what}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body ?? {}) })).json();
const out = (k, v) => console.log(JSON.stringify([k, v]));
const isDate = (v) => v instanceof Date && !Number.isNaN(v.getTime());
// A whole answer as the SDK parsed it (Dates as ISO strings), for the test to compare with botocore's.
const whole = (label, answer) => { const { $metadata, ...parsed } = answer; out(label, parsed); };
// Waiters decide on their first poll: the manual clock is moved on before each.
const wait = async (waiter, input) => (await waiter({ client: ec2, maxWaitTime: 5, minDelay: 0.05, maxDelay: 0.1 }, input)).state;
const refused = async (label, call) => {
  try { await call(); out(label, "no error"); }
  catch (e) { out(label, [e.name, e.$metadata?.httpStatusCode, e.message]); }
};

// --- an instance to change --------------------------------------------------------------------------
const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc.VpcId;
const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet.SubnetId;
const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "web", VpcId: vpc }))).GroupId;
const ami = (await ssm.send(new GetParameterCommand({ Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" }))).Parameter.Value;
const iid = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: "t3.micro", SubnetId: subnet, MinCount: 1, MaxCount: 1,
  CreditSpecification: { CpuCredits: "standard" } }))).Instances[0].InstanceId;
await clock("settle");
const instance = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [iid] }))).Reservations[0].Instances[0];
const attribute = async (Attribute) => ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: iid, Attribute }));

// --- CPU credits ------------------------------------------------------------------------------------
const credits = (await ec2.send(new DescribeInstanceCreditSpecificationsCommand({ InstanceIds: [iid] }))).InstanceCreditSpecifications;
out("credits", credits.map((c) => [c.InstanceId === iid, c.CpuCredits]));

// --- volumes ----------------------------------------------------------------------------------------
const root = (await instance()).RootDeviceName;
const rootVolumes = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [iid] }] }))).Volumes;
out("root volume", rootVolumes.map((v) => [v.State, v.VolumeType, v.Size > 0, isDate(v.CreateTime), v.Attachments.map((a) =>
  [a.Device === root, a.State, a.DeleteOnTermination, isDate(a.AttachTime)])]));
const created = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 20, VolumeType: "gp3", Encrypted: false,
  TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: "Name", Value: "data" }] }] }));
const volume = created.VolumeId;
out("create volume", [created.State, created.Size, created.Iops, created.Throughput, created.Encrypted, created.MultiAttachEnabled, created.Tags,
  created.Attachments ?? null, isDate(created.CreateTime)]);
await refused("create dry run", () => ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 20, DryRun: true })));
await clock("advance", { seconds: 8 });
const described = async () => (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volume] }))).Volumes[0];
out("volume available", [await wait(waitUntilVolumeAvailable, { VolumeIds: [volume] }), (await described()).State]);
await refused("attach dry run", () => ec2.send(new AttachVolumeCommand({ VolumeId: volume, InstanceId: iid, Device: "/dev/sdf", DryRun: true })));
const attached = await ec2.send(new AttachVolumeCommand({ VolumeId: volume, InstanceId: iid, Device: "/dev/sdf" }));
out("attach volume", [attached.State, attached.Device, attached.InstanceId === iid, attached.VolumeId === volume, isDate(attached.AttachTime)]);
await clock("advance", { seconds: 3 });
out("wait in use", await wait(waitUntilVolumeInUse, { VolumeIds: [volume] }));
const inUse = await described();
out("volume attached", [inUse.State, inUse.Attachments.map((a) => [a.State, a.Device, a.DeleteOnTermination])]);
const byTag = (await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "tag:Name", Values: ["data"] }, { Name: "status", Values: ["in-use"] }] }))).Volumes;
out("volumes by tag", byTag.map((v) => v.VolumeId === volume));
await refused("attach again", () => ec2.send(new AttachVolumeCommand({ VolumeId: volume, InstanceId: iid, Device: "/dev/sdg" })));
await refused("no volume", () => ec2.send(new DescribeVolumesCommand({ VolumeIds: ["vol-0123456789abcdef0"] })));

// --- metadata options -------------------------------------------------------------------------------
const metadata = await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: iid, HttpTokens: "required", HttpPutResponseHopLimit: 2,
  InstanceMetadataTags: "enabled" }));
const m = metadata.InstanceMetadataOptions;
out("metadata options", [metadata.InstanceId === iid, m.State, m.HttpTokens, m.HttpPutResponseHopLimit, m.InstanceMetadataTags, m.HttpEndpoint]);
out("metadata applied", [(await instance()).MetadataOptions.State, (await instance()).MetadataOptions.HttpTokens]);
await refused("metadata hop limit", () => ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: iid, HttpPutResponseHopLimit: 65 })));

// --- instance attributes: one per call --------------------------------------------------------------
const modify = (change) => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: iid, ...change }));
await modify({ DisableApiTermination: { Value: true } });
out("termination protection", (await attribute("disableApiTermination")).DisableApiTermination);
await refused("terminate protected", () => ec2.send(new TerminateInstancesCommand({ InstanceIds: [iid] })));
await modify({ Attribute: "disableApiTermination", Value: "false" });  // the older Attribute/Value form
out("protection lifted", (await attribute("disableApiTermination")).DisableApiTermination);
await modify({ InstanceInitiatedShutdownBehavior: { Value: "terminate" } });
out("shutdown behaviour", (await attribute("instanceInitiatedShutdownBehavior")).InstanceInitiatedShutdownBehavior);
await modify({ Groups: [sg] });
out("groups", [(await instance()).SecurityGroups.map((g) => g.GroupId === sg), (await attribute("groupSet")).Groups.map((g) => g.GroupId === sg)]);
await modify({ SourceDestCheck: { Value: false } });
out("source dest check", [(await attribute("sourceDestCheck")).SourceDestCheck, (await instance()).NetworkInterfaces[0].SourceDestCheck]);
await modify({ BlockDeviceMappings: [{ DeviceName: root, Ebs: { DeleteOnTermination: false } }] });
out("root kept", (await instance()).BlockDeviceMappings.filter((b) => b.DeviceName === root).map((b) => b.Ebs.DeleteOnTermination));
await refused("type while running", () => modify({ InstanceType: { Value: "t3.small" } }));
await refused("two attributes", () => modify({ DisableApiStop: { Value: true }, SourceDestCheck: { Value: true } }));
await ec2.send(new StopInstancesCommand({ InstanceIds: [iid] }));
await clock("settle");
const script = "#!/bin/bash\necho ECS_CLUSTER=changed >> /etc/ecs/ecs.config\n";
await modify({ UserData: { Value: new TextEncoder().encode(script) } });
out("user data", Buffer.from((await attribute("userData")).UserData.Value, "base64").toString() === script);
await modify({ InstanceType: { Value: "t3.small" } });
await modify({ EbsOptimized: { Value: true } });
const stopped = await instance();
out("stopped changes", [stopped.InstanceType, (await attribute("instanceType")).InstanceType, (await attribute("ebsOptimized")).EbsOptimized]);
const after = (await ec2.send(new DescribeInstanceCreditSpecificationsCommand({ InstanceIds: [iid] }))).InstanceCreditSpecifications;
out("credits after", after.map((c) => c.CpuCredits));

// --- prefix lists -----------------------------------------------------------------------------------
const lists = (await ec2.send(new DescribePrefixListsCommand({}))).PrefixLists;
out("prefix lists", lists.map((p) => [p.PrefixListId, p.PrefixListName, p.Cidrs.length > 0]));
const s3 = (await ec2.send(new DescribePrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: ["com.amazonaws.us-east-1.s3"] }] }))).PrefixLists;
out("s3 prefix list", s3.map((p) => p.PrefixListId));
whole("whole prefix lists", await ec2.send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-63a5400a"] })));
out("prefix list by id", (await ec2.send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-02cd2c6b"] }))).PrefixLists.map((p) => p.PrefixListName));
await refused("no prefix list", () => ec2.send(new DescribePrefixListsCommand({ PrefixListIds: ["pl-00000000"] })));

// --- IAM: permissions boundaries --------------------------------------------------------------------
const allow = (action) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const boundary = (await iam.send(new CreatePolicyCommand({ PolicyName: "cap", PolicyDocument: allow("ecs:List*") }))).Policy.Arn;
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
await iam.send(new CreateRoleCommand({ RoleName: "capped", AssumeRolePolicyDocument: trust }));
await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "capped", PermissionsBoundary: boundary }));
const capped = (await iam.send(new GetRoleCommand({ RoleName: "capped" }))).Role;
out("boundary", [capped.PermissionsBoundary.PermissionsBoundaryType, capped.PermissionsBoundary.PermissionsBoundaryArn === boundary]);
out("boundary usage", (await iam.send(new GetPolicyCommand({ PolicyArn: boundary }))).Policy.PermissionsBoundaryUsageCount);
await refused("boundary missing policy", () => iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "capped",
  PermissionsBoundary: "arn:aws:iam::123456789012:policy/nope" })));
await refused("boundary no role", () => iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "ghost", PermissionsBoundary: boundary })));

// --- IAM: SimulateCustomPolicy ----------------------------------------------------------------------
const cap = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:List*", Resource: "*" },
  { Effect: "Deny", Action: "ecs:DeleteCluster", Resource: "*" }] });
const regional = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:Describe*", Resource: "*",
  Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } }] });
const actions = ["ecs:ListClusters", "ecs:RunTask", "ecs:DeleteCluster", "ec2:RunInstances"];
const simulated = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [allow("ecs:*")], PermissionsBoundaryPolicyInputList: [cap],
  ActionNames: actions }));
out("simulation", simulated.EvaluationResults.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision,
  r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary ?? null, r.MatchedStatements.map((s) => s.SourcePolicyId), r.MissingContextValues]));
out("simulation truncated", simulated.IsTruncated);
const empty = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [allow("ecs:*")], ActionNames: ["ecs:ListClusters"], ResourceArns: [],
  PermissionsBoundaryPolicyInputList: [], ContextEntries: [] }));  // sent as `ResourceArns=` and so on
out("simulation empty lists", empty.EvaluationResults.map((r) => [r.EvalDecision, r.EvalResourceName, r.PermissionsBoundaryDecisionDetail ?? null]));
const context = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [regional], ActionNames: ["ec2:DescribeVpcs"],
  ResourceArns: ["*"], ContextEntries: [{ ContextKeyName: "aws:RequestedRegion", ContextKeyValues: ["eu-west-1"], ContextKeyType: "string" }] }));
out("simulation context", context.EvaluationResults.map((r) => r.EvalDecision));
const pages = [];
for await (const page of paginateSimulateCustomPolicy({ client: iam, pageSize: 3 }, { PolicyInputList: [allow("ec2:Describe*")],
  ActionNames: ["ec2:DescribeInstances", "ec2:RunInstances"], ResourceArns: ["arn:aws:ec2:us-east-1:123456789012:instance/i-1", "*"] })) {
  pages.push(page.EvaluationResults.map((r) => r.EvalDecision));
}
out("simulation pages", pages);
// Calls botocore would refuse before sending (it validates its input; this SDK does not): the
// service's own refusals reach the SDK instead.
await refused("simulation without actions", () => iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [allow("ecs:*")] })));
await refused("boundary without anything", () => iam.send(new PutRolePermissionsBoundaryCommand({})));
await refused("volume without zone", () => ec2.send(new CreateVolumeCommand({ Size: 5 })));
await refused("two boundaries", () => iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [allow("ecs:*")],
  PermissionsBoundaryPolicyInputList: [cap, cap], ActionNames: actions })));

// --- whole answers, once nothing moves any more: the test reads the same through botocore ----------
out("ids", { instance: iid, volume, boundary });
whole("whole volumes", await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [iid] }] })));
whole("whole credits", await ec2.send(new DescribeInstanceCreditSpecificationsCommand({ InstanceIds: [iid] })));
whole("whole metadata options", await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: iid, HttpTokens: "required" })));
whole("whole role", await iam.send(new GetRoleCommand({ RoleName: "capped" })));
whole("whole simulation", await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [allow("ecs:*")], PermissionsBoundaryPolicyInputList: [cap],
  ActionNames: ["ecs:ListClusters", "ecs:DeleteCluster"], ResourceArns: ["arn:aws:ecs:us-east-1:123456789012:cluster/a", "*"] })));

// --- and gone: a deleted volume's NotFound is what the waiter waits for (another volume: the test
// reads the first one again) -----------------------------------------------------------------------
const scratch = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 1 }))).VolumeId;
await clock("advance", { seconds: 8 });
await ec2.send(new DeleteVolumeCommand({ VolumeId: scratch }));
out("wait deleted", await wait(waitUntilVolumeDeleted, { VolumeIds: [scratch] }));
