//! kiln's sandbox communicator: runs commands inside an unpacked root filesystem in Linux namespaces.
