"""EC2: the network world ECS lives in (VPCs, subnets, security groups, instances, ENIs, trunks).

Storage keys are `REGION/ID` under kinds `ec2.vpc`, `ec2.subnet`, `ec2.security-group`,
`ec2.instance`, `ec2.eni`, `ec2.trunk-association`; records are kept in the botocore output shape's
member names (e.g. `VpcId`, `CidrBlock`, `Tags`), so services pass them on with little work.
"""
