# Issue 11's stack, against trunkline: the ECS-on-EC2 basics (instance role and profile, VPC with
# two subnets, security group, launch template of the ECS-optimized AMI whose user data names the
# cluster), an Auto Scaling group from the launch template (the AmazonECSManaged tag declared, as
# the provider's docs advise, and scale-in protection), an ECS capacity provider with managed
# scaling and managed termination protection, the cluster's capacity providers with a default
# strategy, and an awsvpc service placed through the provider, applied with wait_for_steady_state:
# the service's tasks wait in PROVISIONING until managed scaling has brought the instances.
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
    autoscaling = var.endpoint
    ec2         = var.endpoint
    ecs         = var.endpoint
    iam         = var.endpoint
    ssm         = var.endpoint
    sts         = var.endpoint
  }
}

resource "aws_iam_role" "instance" {
  name = "ecsInstanceRole"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "ecs" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "instance" {
  name = "ecsInstanceRole"
  role = aws_iam_role.instance.name
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
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

resource "aws_security_group" "tasks" {
  name        = "tasks"
  description = "awsvpc tasks"
  vpc_id      = aws_vpc.main.id
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

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
}

# min_size 0: the capacity provider's managed scaling launches the instances, so each registers
# with ECS after the provider exists. With min_size 1 the group launches one at once, and that
# instance may register with ECS before Terraform creates the capacity provider: it then has no
# capacityProviderName (AWS documents that instances registered before the group is used for a
# capacity provider may not be registered properly), the provider's tasks cannot use it, yet it
# counts as an instance of the group, so the reservation reads 100 and nothing scales.
resource "aws_autoscaling_group" "ecs" {
  name                  = "ecs"
  min_size              = 0
  max_size              = 4
  vpc_zone_identifier   = [aws_subnet.a.id, aws_subnet.b.id]
  protect_from_scale_in = true
  launch_template {
    id      = aws_launch_template.ecs.id
    version = "$Latest"
  }
  tag {
    key                 = "AmazonECSManaged"
    value               = ""
    propagate_at_launch = true
  }
}

resource "aws_ecs_cluster" "main" {
  name = "trunks"
}

resource "aws_ecs_capacity_provider" "asg" {
  name = "asg"
  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.ecs.arn
    managed_termination_protection = "ENABLED"
    managed_scaling {
      status          = "ENABLED"
      target_capacity = 100
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = [aws_ecs_capacity_provider.asg.name]
  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.asg.name
    weight            = 1
  }
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
  }])
}

resource "aws_ecs_service" "web" {
  name                  = "web"
  cluster               = aws_ecs_cluster.main.id
  task_definition       = aws_ecs_task_definition.web.arn
  desired_count         = 4
  wait_for_steady_state = true
  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.asg.name
    weight            = 1
  }
  network_configuration {
    subnets         = [aws_subnet.a.id, aws_subnet.b.id]
    security_groups = [aws_security_group.tasks.id]
  }
  depends_on = [aws_ecs_cluster_capacity_providers.main]
}
