"""EC2 Auto Scaling: groups that keep a number of instances running from a launch template,
launched through EC2's own RunInstances path (so ECS's simulated agent registers them as usual)."""
