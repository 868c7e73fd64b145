# An ECS-on-EC2 stack written from the provider's docs, then changed: provider default_tags, an
# instance type read through data "aws_ec2_instance_type", awsvpcTrunking through
# aws_ecs_account_setting_default, a launch template with tag specifications, an Auto Scaling group
# with a mixed instances policy that declares the AmazonECSManaged tag (value true, as the
# provider's docs of aws_ecs_capacity_provider advise), a capacity provider with managed scaling,
# termination protection and draining, and an awsvpc service with a capacity provider strategy and
# ordered placement strategies. Apply it, then apply again with other values of the variables
# (tags, desired count, target capacity, the group's metrics and suspended processes; the group's
# tag change starts an instance refresh): each plan after an apply shows no changes.
#
#   terraform init
#   terraform apply -auto-approve -var endpoint=http://127.0.0.1:4590
#   terraform plan -detailed-exitcode -var endpoint=http://127.0.0.1:4590   # exit 0: no changes
#   terraform apply -auto-approve -var endpoint=http://127.0.0.1:4590 \
#       -var desired_count=5 -var target_capacity=70 -var env_tag=staging \
#       -var 'enabled_metrics=["GroupDesiredCapacity","GroupInServiceInstances","GroupTotalInstances"]' \
#       -var 'suspended_processes=["AZRebalance","ScheduledActions"]'
#   terraform plan -detailed-exitcode -var endpoint=http://127.0.0.1:4590 \
#       -var desired_count=5 -var target_capacity=70 -var env_tag=staging ...  # exit 0
#   terraform destroy -auto-approve -var endpoint=http://127.0.0.1:4590

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4590"
}

variable "desired_count" {
  type    = number
  default = 3
}

variable "target_capacity" {
  type    = number
  default = 100
}

variable "env_tag" {
  type    = string
  default = "dev"
}

variable "enabled_metrics" {
  type    = list(string)
  default = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMaxSize"]
}

variable "suspended_processes" {
  type    = list(string)
  default = ["AZRebalance", "ReplaceUnhealthy"]
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
    logs        = var.endpoint
  }
  default_tags {
    tags = {
      Project = "ecs-update"
      Env     = var.env_tag
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ec2_instance_type" "m5" {
  instance_type = "m5.large"
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = { Name = "upd-vpc" }
}

resource "aws_subnet" "private" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "upd-private-${count.index}" }
}

resource "aws_security_group" "ecs" {
  name_prefix = "upd-ecs-"
  description = "ECS instances and tasks"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "http within the vpc"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_iam_role" "instance" {
  name_prefix        = "upd-instance-"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_role_policy_attachment" "instance_ecs" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_role_policy_attachment" "instance_ssm" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "instance" {
  name_prefix = "upd-instance-"
  role        = aws_iam_role.instance.name
}

resource "aws_iam_role" "execution" {
  name               = "upd-task-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_account_setting_default" "trunking" {
  name  = "awsvpcTrunking"
  value = "enabled"
}

data "aws_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
}

resource "aws_ecs_cluster" "main" {
  name = "ecs-update"
  setting {
    name  = "containerInsights"
    value = "disabled"
  }
}

resource "aws_launch_template" "ecs" {
  name_prefix            = "upd-ecs-"
  image_id               = data.aws_ssm_parameter.ecs_ami.value
  instance_type          = data.aws_ec2_instance_type.m5.instance_type
  vpc_security_group_ids = [aws_security_group.ecs.id]
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  monitoring {
    enabled = true
  }

  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<CONF
    ECS_CLUSTER=${aws_ecs_cluster.main.name}
    ECS_ENABLE_TASK_IAM_ROLE=true
    CONF
  EOT
  )

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "upd-ecs-instance" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "upd-ecs-volume" }
  }

  depends_on = [aws_ecs_account_setting_default.trunking]
}

# The group acts through its own Auto Scaling service-linked role (a custom suffix), not the
# account's default one; destroy deletes the role after the group (DeleteServiceLinkedRole, then
# GetServiceLinkedRoleDeletionStatus).
resource "aws_iam_service_linked_role" "autoscaling" {
  aws_service_name = "autoscaling.amazonaws.com"
  custom_suffix    = "upd"
}

resource "aws_autoscaling_group" "ecs" {
  name_prefix             = "upd-ecs-"
  service_linked_role_arn = aws_iam_service_linked_role.autoscaling.arn
  min_size              = 0
  max_size              = 3
  vpc_zone_identifier   = aws_subnet.private[*].id
  protect_from_scale_in = true
  health_check_type     = "EC2"

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 100
    }
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.ecs.id
        version            = "$Latest"
      }
      override {
        instance_type = "m5.large"
      }
      override {
        instance_type = "c5.large"
      }
    }
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Team"
    value               = var.env_tag
    propagate_at_launch = true
  }

  # Group metrics and suspended processes: the provider calls EnableMetricsCollection and
  # SuspendProcesses after creating the group, and Enable/DisableMetricsCollection and
  # Suspend/ResumeProcesses for what a change adds or drops.
  enabled_metrics     = var.enabled_metrics
  suspended_processes = var.suspended_processes

  # A change of the group's tags (Team follows env_tag) starts an instance refresh that replaces
  # the instances, scale-in protected ones included, half the group at a time; ECS drains each.
  instance_refresh {
    strategy = "Rolling"
    triggers = ["tag"]
    preferences {
      min_healthy_percentage       = 50
      instance_warmup              = 0
      scale_in_protected_instances = "Refresh"
    }
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_ecs_capacity_provider" "asg" {
  name = "upd-asg"
  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.ecs.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"
    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = var.target_capacity
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
      instance_warmup_period    = 60
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = [aws_ecs_capacity_provider.asg.name]
  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.asg.name
    base              = 1
    weight            = 100
  }
}

data "aws_ecs_cluster" "main" {
  cluster_name = aws_ecs_cluster.main.name
  depends_on   = [aws_ecs_cluster_capacity_providers.main]
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/upd-app"
  retention_in_days = 7
}

resource "aws_ecs_task_definition" "app" {
  family                   = "upd-app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions = jsonencode([{
    name         = "app"
    image        = "public.ecr.aws/nginx/nginx:latest"
    essential    = true
    portMappings = [{ containerPort = 80, protocol = "tcp" }]
    environment  = [{ name = "STAGE", value = var.env_tag }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "app"
      }
    }
  }])
}

resource "aws_ecs_service" "app" {
  name                              = "upd-app"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.app.arn
  desired_count                     = var.desired_count
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = true
  force_new_deployment              = false
  health_check_grace_period_seconds = 0

  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.asg.name
    base              = 1
    weight            = 100
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  ordered_placement_strategy {
    type  = "binpack"
    field = "memory"
  }

  network_configuration {
    subnets         = aws_subnet.private[*].id
    security_groups = [aws_security_group.ecs.id]
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = { Service = "upd-app" }

  depends_on = [aws_ecs_cluster_capacity_providers.main, aws_iam_role_policy_attachment.execution]
}

output "cluster_arn" {
  value = data.aws_ecs_cluster.main.arn
}

output "azs" {
  value = data.aws_availability_zones.available.names
}

output "m5_max_enis" {
  value = data.aws_ec2_instance_type.m5.maximum_network_interfaces
}

output "service_id" {
  value = aws_ecs_service.app.id
}
