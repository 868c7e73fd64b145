// The SDK's own SigV4 signer against `--auth strict`: the configured key, an IAM user's key, STS
// session credentials (x-amz-security-token), values that need percent-encoding in query and JSON
// bodies, and a wrong secret refused in each protocol's own error shape.
import { ECSClient, ListClustersCommand, CreateClusterCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecs";
import { EC2Client, CreateVpcCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, CreateRoleCommand, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";

const endpoint = process.argv[2];
const region = "us-east-1";
const root = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const as = (credentials) => ({ endpoint, region, credentials, maxAttempts: 1 });
const out = (k, v) => console.log(JSON.stringify([k, v]));
const refused = async (label, call) => {
  try { await call(); out(label, "no error"); }
  catch (e) { out(label, [e.name, e.$metadata?.httpStatusCode, e.message]); }
};
const sts = new STSClient(as(root)), iam = new IAMClient(as(root)), ec2 = new EC2Client(as(root)), ecs = new ECSClient(as(root)), logs = new CloudWatchLogsClient(as(root));

out("root", (await sts.send(new GetCallerIdentityCommand({}))).Arn);
// Values the query and JSON serialisers percent-encode or escape: each signed as the SDK sent it.
const odd = "a b+c=d/e:f@g_h.i-j éü 日本"; // what IAM and ECS tag values allow
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }] });
await iam.send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: trust, Tags: [{ Key: "odd", Value: odd }] }));
out("iam tag", (await iam.send(new ListRoleTagsCommand({ RoleName: "deployer" }))).Tags[0].Value === odd);
const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "odd", Value: odd + "&?%*'!()~✓🚀" }] }] }))).Vpc.VpcId;
const found = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:odd", Values: [odd + "&?%*'!()~✓🚀"] }] }))).Vpcs;
out("ec2 tag filter", found.map((v) => v.VpcId === vpc));
const cluster = (await ecs.send(new CreateClusterCommand({ clusterName: "signed", tags: [{ key: "odd", value: odd }] }))).cluster.clusterArn;
out("ecs tag", (await ecs.send(new ListTagsForResourceCommand({ resourceArn: cluster }))).tags[0].value === odd);
await logs.send(new CreateLogGroupCommand({ logGroupName: "/signed" }));
await logs.send(new CreateLogStreamCommand({ logGroupName: "/signed", logStreamName: "s" }));
await logs.send(new PutLogEventsCommand({ logGroupName: "/signed", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: odd + "\n\"quoted\"\t\\" }] }));
out("logs message", (await logs.send(new GetLogEventsCommand({ logGroupName: "/signed", logStreamName: "s" }))).events[0].message === odd + "\n\"quoted\"\t\\");

// An IAM user's key, then STS session credentials: the session token is signed and checked.
await iam.send(new CreateUserCommand({ UserName: "dev" }));
const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "dev" }))).AccessKey;
const user = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
out("user", (await new STSClient(as(user)).send(new GetCallerIdentityCommand({}))).Arn);
const session = (await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/deployer", RoleSessionName: "js" }))).Credentials;
out("session expires is a Date", session.Expiration instanceof Date);
const temporary = { accessKeyId: session.AccessKeyId, secretAccessKey: session.SecretAccessKey, sessionToken: session.SessionToken };
out("session", (await new STSClient(as(temporary)).send(new GetCallerIdentityCommand({}))).Arn);
out("session ecs", (await new ECSClient(as(temporary)).send(new ListClustersCommand({}))).clusterArns);
out("session ec2", (await new EC2Client(as(temporary)).send(new DescribeVpcsCommand({ VpcIds: [vpc] }))).Vpcs.length);

// A wrong secret, and a session token that was tampered with: each service's own refusal.
const wrong = { ...root, secretAccessKey: "wrong" };
await refused("wrong secret sts", () => new STSClient(as(wrong)).send(new GetCallerIdentityCommand({})));
await refused("wrong secret iam", () => new IAMClient(as(wrong)).send(new ListRoleTagsCommand({ RoleName: "deployer" })));
await refused("wrong secret ec2", () => new EC2Client(as(wrong)).send(new DescribeVpcsCommand({})));
await refused("wrong secret ecs", () => new ECSClient(as(wrong)).send(new ListClustersCommand({})));
await refused("wrong secret ssm", () => new SSMClient(as(wrong)).send(new GetParameterCommand({ Name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" })));
await refused("wrong secret logs", () => new CloudWatchLogsClient(as(wrong)).send(new CreateLogGroupCommand({ logGroupName: "/x" })));
await refused("wrong secret autoscaling", () => new AutoScalingClient(as(wrong)).send(new DescribeAutoScalingGroupsCommand({})));
await refused("unknown key ecs", () => new ECSClient(as({ accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" })).send(new ListClustersCommand({})));
await refused("tampered token ecs", () => new ECSClient(as({ ...temporary, sessionToken: temporary.sessionToken + "x" })).send(new ListClustersCommand({})));
