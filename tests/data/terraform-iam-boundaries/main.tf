# One IAM stack for tests/test_terraform_iam.py, applied, read back, changed and destroyed in one
# cycle (each Terraform command costs seconds of CPU in the provider, so the tests share one):
#
# - permissions boundaries on a role and a user (aws_iam_role / aws_iam_user
#   `permissions_boundary`), one of them changed from a customer managed policy to an AWS managed
#   one through the variable `boundary`;
# - a service-linked role (aws_iam_service_linked_role) that an ECS cluster uses, whose destroy
#   waits on the role's deletion task.

variable "endpoint" {
  type = string
}

variable "boundary" {
  description = "The role's permissions boundary: team (the customer managed policy) or aws."
  type        = string
  default     = "team"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    iam = var.endpoint
    sts = var.endpoint
    ecs = var.endpoint
  }
}

resource "aws_iam_policy" "team" {
  name   = "team-boundary"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ecs:*", Resource = "*" }] })
}

locals {
  boundaries = {
    team = aws_iam_policy.team.arn
    aws  = "arn:aws:iam::aws:policy/AmazonECS_FullAccess"
  }
}

resource "aws_iam_role" "bounded" {
  name = "bounded"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
  permissions_boundary = local.boundaries[var.boundary]
}

resource "aws_iam_user" "bounded" {
  name                 = "bounded"
  permissions_boundary = aws_iam_policy.team.arn
}

resource "aws_iam_service_linked_role" "ecs" {
  aws_service_name = "ecs.amazonaws.com"
}

resource "aws_ecs_cluster" "main" {
  name       = "main"
  depends_on = [aws_iam_service_linked_role.ecs]
}
