terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" {
  description = "The trunkline server (trunkline serve)."
  type        = string
  default     = "http://127.0.0.1:4590"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = var.endpoint
    iam = var.endpoint
    sts = var.endpoint
    ssm = var.endpoint
    ecs = var.endpoint
  }
}


# One EC2 stack for tests/test_terraform_ec2.py, applied, read back, changed and destroyed in one
# cycle (each Terraform command costs seconds of CPU in the provider, so the tests share one):
#
# - what session 8 made trunkline keep and return: a burstable instance (burst) with CPU options, a
#   credit option and its own root and data volumes; security group rules with tags, one to the
#   region's S3 prefix list. None of the variables below touches them: they must stay unchanged.
# - an instance changed in place (app): its type (stopped, changed, started), metadata options,
#   security groups, protection, shutdown behaviour and root volume size, and a data volume
#   attached to it that grows, through the variables below.
# - a snapshot of that data volume (aws_ebs_snapshot waits for `completed`) and a volume created
#   from it; neither changes when the data volume grows (the snapshot keeps its size at the start).

variable "instance_type" {
  type    = string
  default = "t3.micro"
}

variable "http_tokens" {
  type    = string
  default = "optional"
}

variable "hop_limit" {
  type    = number
  default = 2
}

variable "group" {
  description = "Which security group the instance is in: a or b."
  type        = string
  default     = "a"
}

variable "protected" {
  type    = bool
  default = false
}

variable "monitored" {
  type    = bool
  default = false
}

variable "auto_recovery" {
  type    = string
  default = "default"
}

variable "root_size" {
  type    = number
  default = 30
}

variable "data_size" {
  type    = number
  default = 10
}

variable "shutdown" {
  type    = string
  default = "stop"
}

data "aws_ssm_parameter" "ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

data "aws_prefix_list" "s3" {
  name = "com.amazonaws.us-east-1.s3"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_security_group" "web" {
  name   = "web"
  vpc_id = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "10.0.0.0/8"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
  tags              = { Name = "https" }
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  security_group_id = aws_security_group.web.id
  prefix_list_id    = data.aws_prefix_list.s3.id
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
  tags              = { Name = "s3" }
}

resource "aws_instance" "burst" {
  ami                    = data.aws_ssm_parameter.ami.value
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  vpc_security_group_ids = [aws_security_group.web.id]
  cpu_options {
    core_count       = 1
    threads_per_core = 1
  }
  credit_specification {
    cpu_credits = "standard"
  }
  root_block_device {
    volume_size = 40
    volume_type = "gp3"
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 10
  }
  tags = { Name = "burst" }
}

resource "aws_security_group" "a" {
  name   = "a"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "b" {
  name   = "b"
  vpc_id = aws_vpc.main.id
}

resource "aws_instance" "app" {
  ami                                  = data.aws_ssm_parameter.ami.value
  instance_type                        = var.instance_type
  subnet_id                            = aws_subnet.a.id
  vpc_security_group_ids               = [var.group == "a" ? aws_security_group.a.id : aws_security_group.b.id]
  disable_api_termination              = var.protected
  instance_initiated_shutdown_behavior = var.shutdown
  monitoring                           = var.monitored

  maintenance_options {
    auto_recovery = var.auto_recovery
  }

  root_block_device {
    volume_size = var.root_size
  }

  metadata_options {
    http_tokens                 = var.http_tokens
    http_put_response_hop_limit = var.hop_limit
  }

  tags = { Name = "app" }
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = var.data_size
  type              = "gp3"
  tags              = { Name = "data" }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.app.id
}

resource "aws_ebs_snapshot" "data" {
  volume_id   = aws_ebs_volume.data.id
  description = "data volume"
  tags        = { Name = "data" }
}

resource "aws_ebs_volume" "restored" {
  availability_zone = "us-east-1a"
  snapshot_id       = aws_ebs_snapshot.data.id
  type              = "gp3"
  tags              = { Name = "restored" }
}
