//! ansible on the OCI builder's sandbox, through the adapter.
