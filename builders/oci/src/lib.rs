//! kiln's OCI builder (`source "oci"`, and `source "docker"` for Packer templates).
