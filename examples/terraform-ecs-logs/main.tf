# The ECS and CloudWatch Logs part of an ECS stack, against trunkline: a log group with retention
# and tags, a cluster with tags and a Container Insights setting, a Fargate task definition whose
# container logs to that group with the awslogs driver, and a tagged service of it (desired count
# 0, in a VPC subnet) that propagates its tags and ECS managed tags to its tasks. `terraform apply`, then
# `terraform plan` must show no changes; changing tags, the setting or the retention updates in
# place (TagResource/UntagResource, UpdateCluster, PutRetentionPolicy) and plans clean again.
#
#   terraform init && terraform apply -var endpoint=http://127.0.0.1:4590
#   terraform plan -detailed-exitcode -var endpoint=http://127.0.0.1:4590   # exit 0: no changes

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4590"
}

variable "insights" {
  type    = string
  default = "enabled"
}

variable "retention_in_days" {
  type    = number
  default = 14
}

variable "service_tags" {
  type    = map(string)
  default = { svc = "web" }
}

variable "cluster_tags" {
  type    = map(string)
  default = { env = "dev", team = "net" }
}

terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2  = var.endpoint
    ecs  = var.endpoint
    logs = var.endpoint
    iam  = var.endpoint
    sts  = var.endpoint
  }
}

# The task execution role Fargate's awslogs driver needs: ECS must be able to assume it.
resource "aws_iam_role" "execution" {
  name = "ecsTaskExecutionRole"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/app"
  retention_in_days = var.retention_in_days
  tags              = { team = "net" }
}

resource "aws_ecs_cluster" "main" {
  name = "tf-main"
  setting {
    name  = "containerInsights"
    value = var.insights
  }
  tags = var.cluster_tags
}

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = aws_iam_role.execution.arn
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([{
    name      = "app"
    image     = "nginx"
    essential = true
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "ecs"
      }
    }
  }])
  tags = { app = "web" }
}

resource "aws_vpc" "main" {
  cidr_block = "10.10.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.10.1.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_ecs_service" "web" {
  name                    = "web"
  cluster                 = aws_ecs_cluster.main.id
  task_definition         = aws_ecs_task_definition.app.arn
  desired_count           = 0
  launch_type             = "FARGATE"
  propagate_tags          = "SERVICE"
  enable_ecs_managed_tags = true
  network_configuration {
    subnets          = [aws_subnet.a.id]
    assign_public_ip = true
  }
  tags = var.service_tags
}
