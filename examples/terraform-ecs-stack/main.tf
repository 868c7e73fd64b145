# The standard ECS-on-EC2 stack of issue 10, against trunkline: an instance role with AWS managed
# and inline policies and its instance profile, a VPC with an internet gateway, a route table and
# two subnets, a security group, an Elastic IP, a launch template of the ECS-optimized AMI whose
# user data names the cluster, an instance launched from it (it registers with ECS through the
# simulated agent), a log group, a tagged cluster with Container Insights, and an awsvpc task
# definition logging with awslogs.
#
#   terraform init
#   terraform apply -auto-approve -var endpoint=http://127.0.0.1:4590
#   terraform plan -detailed-exitcode -var endpoint=http://127.0.0.1:4590   # exit 0: no changes
#   terraform destroy -auto-approve -var endpoint=http://127.0.0.1:4590

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4590"
}

terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2  = var.endpoint
    ecs  = var.endpoint
    iam  = var.endpoint
    logs = var.endpoint
    ssm  = var.endpoint
    sts  = var.endpoint
  }
}

# --- IAM -----------------------------------------------------------------------------------------

resource "aws_iam_role" "instance" {
  name = "ecsInstanceRole"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  tags = { stack = "trunkline" }
}

resource "aws_iam_role_policy_attachment" "ecs" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_role_policy" "logs" {
  name = "logs"
  role = aws_iam_role.instance.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }]
  })
}

resource "aws_iam_instance_profile" "instance" {
  name = "ecsInstanceRole"
  role = aws_iam_role.instance.name
}

# --- network -------------------------------------------------------------------------------------

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "trunkline" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1b"
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "tasks" {
  name        = "tasks"
  description = "awsvpc tasks"
  vpc_id      = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# --- capacity ------------------------------------------------------------------------------------

data "aws_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

resource "aws_launch_template" "ecs" {
  name          = "ecs"
  image_id      = data.aws_ssm_parameter.ecs_ami.value
  instance_type = "c5.large"
  iam_instance_profile {
    name = aws_iam_instance_profile.instance.name
  }
  user_data = base64encode("#!/bin/bash\necho ECS_CLUSTER=${aws_ecs_cluster.main.name} >> /etc/ecs/ecs.config\n")
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "ecs" {
  subnet_id = aws_subnet.a.id
  launch_template {
    id      = aws_launch_template.ecs.id
    version = "$Latest"
  }
  tags = { Name = "ecs-1" }
  # hashicorp/terraform-provider-aws#30825: with user data only in the launch template, the
  # provider re-hashes its own stored hash on every plan and shows a user_data change that is not
  # there (against AWS too). The instance's user data comes from the template and never changes here.
  lifecycle {
    ignore_changes = [user_data]
  }
}

resource "aws_eip" "ecs" {
  domain   = "vpc"
  instance = aws_instance.ecs.id
}

# --- ECS -----------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/web"
  retention_in_days = 7
}

resource "aws_ecs_cluster" "main" {
  name = "trunks"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = { stack = "trunkline" }
}

resource "aws_ecs_task_definition" "web" {
  family                   = "web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([{
    name      = "web"
    image     = "nginx"
    cpu       = 128
    memory    = 256
    essential = true
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "web"
      }
    }
  }])
}

output "instance_id" {
  value = aws_instance.ecs.id
}
