# Terraform reads a sealer file with the sops provider: the file is a SOPS file.
# The key comes from SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) where terraform runs.
terraform {
  required_providers {
    sops = {
      source  = "carlpett/sops"
      version = "~> 1.1"
    }
  }
}

data "sops_file" "app" {
  source_file = "secrets.json"
}

# Nested keys are joined with dots by the provider.
output "db_user" {
  value = data.sops_file.app.data["db.user"]
}

output "db_password" {
  value     = data.sops_file.app.data["db.password"]
  sensitive = true
}
