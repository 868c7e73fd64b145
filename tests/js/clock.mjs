// The SDK corrects its clock from each answer's Date header and signs its next requests by it.
// trunkline's Date is its own clock (here a manual one, two hours ahead of the wall clock): the
// first call is signed by the wall clock, the next ones by trunkline's, and `--auth strict`
// accepts both.
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { EC2Client, DescribeVpcsCommand } from "@aws-sdk/client-ec2";

const endpoint = process.argv[2];
const credentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const as = { endpoint, region: "us-east-1", credentials, maxAttempts: 1 };
const out = (k, v) => console.log(JSON.stringify([k, v]));
const ecs = new ECSClient(as), ec2 = new EC2Client(as);

out("ecs offset before", ecs.config.systemClockOffset ?? 0);
await ecs.send(new ListClustersCommand({}));
out("ecs offset after", Math.round((ecs.config.systemClockOffset ?? 0) / 1000));
out("ecs signed by trunkline's clock", (await ecs.send(new ListClustersCommand({}))).clusterArns);
await ec2.send(new DescribeVpcsCommand({}));
out("ec2 offset after", Math.round((ec2.config.systemClockOffset ?? 0) / 1000));
out("ec2 signed by trunkline's clock", (await ec2.send(new DescribeVpcsCommand({}))).Vpcs.length >= 0);
