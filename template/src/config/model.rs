//! The declarations of a configuration, before evaluation: every block
//! keeps its syntax tree and the file it came from.

use crate::source::{FileId, SourceSpan};
use crate::value::{Type, Value};
use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

/// An expression and the file it lives in.
#[derive(Debug, Clone)]
pub struct FileExpr {
    pub file: FileId,
    pub expr: Expression,
}

/// A block body and the file it lives in.
#[derive(Debug, Clone)]
pub struct FileBody {
    pub file: FileId,
    pub body: Body,
    pub span: Option<SourceSpan>,
}

#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub name: String,
    /// The declared type constraint; `None` means "any", narrowed by the
    /// default's type as Packer does.
    pub ty: Option<Type>,
    pub default: Option<Value>,
    /// Where the default is written, for errors about its value.
    pub default_span: Option<SourceSpan>,
    pub description: String,
    pub sensitive: bool,
    pub validations: Vec<Validation>,
    pub span: Option<SourceSpan>,
}

#[derive(Debug, Clone)]
pub struct Validation {
    pub condition: FileExpr,
    pub error_message: FileExpr,
    pub span: Option<SourceSpan>,
}

#[derive(Debug, Clone)]
pub struct LocalDecl {
    pub name: String,
    pub expr: FileExpr,
    pub sensitive: bool,
    pub span: Option<SourceSpan>,
}

#[derive(Debug, Clone)]
pub struct DataDecl {
    pub kind: String,
    pub name: String,
    pub body: FileBody,
}

#[derive(Debug, Clone)]
pub struct SourceDecl {
    pub kind: String,
    pub name: String,
    pub body: FileBody,
}

impl SourceDecl {
    /// `TYPE.NAME`, how builds refer to it.
    pub fn reference(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

#[derive(Debug, Clone)]
pub struct PackerBlock {
    pub required_version: Option<FileExpr>,
    pub required_plugins: Vec<(String, Value)>,
    pub span: Option<SourceSpan>,
}

/// A `source` used by a build: a reference to a top-level source,
/// optionally renamed and with extra fields (a nested `source` block).
#[derive(Debug, Clone)]
pub struct BuildSource {
    /// `TYPE.NAME` of the top-level source.
    pub reference: String,
    /// The name builds see (`name = "..."` in a nested block).
    pub name: String,
    pub extra: Option<FileBody>,
    pub span: Option<SourceSpan>,
    /// Names `extra` is evaluated with: the iterator of the
    /// `dynamic "source"` block that generated this source.
    pub bindings: Vec<(String, crate::value::Value)>,
}

/// A provisioner or post-processor block with its meta-arguments still
/// in the body (the engine applies them).
#[derive(Debug, Clone)]
pub struct ComponentBlock {
    pub kind: String,
    pub body: FileBody,
    /// A `dynamic "provisioner"` (or `"post-processor"`) block: `body` holds `for_each`,
    /// `iterator`, `labels` and `content`, expanded when planning.
    pub dynamic: bool,
}

#[derive(Debug, Clone, Default)]
pub struct BuildDecl {
    pub name: Option<String>,
    pub description: Option<String>,
    pub sources: Vec<BuildSource>,
    /// The `sources` attribute, evaluated into `sources` once variables
    /// and locals are known.
    pub sources_expr: Option<FileExpr>,
    /// `dynamic "source"` blocks, each with the number of nested `source`
    /// blocks before it, expanded into `sources` with the `sources_expr`.
    pub dynamic_sources: Vec<(usize, FileBody)>,
    pub provisioners: Vec<ComponentBlock>,
    pub error_cleanup_provisioner: Option<ComponentBlock>,
    /// Each inner list is one chain: a lone `post-processor` block is a
    /// chain of one, a `post-processors` block a chain of several.
    pub post_processor_chains: Vec<Vec<ComponentBlock>>,
    /// Checked and kept for the catalog; kiln publishes nothing.
    pub hcp_packer_registry: Option<super::hcp_registry::HcpRegistry>,
    /// `test "NAME" { … }` blocks (kiln only), in order.
    pub tests: Vec<TestDecl>,
    pub span: Option<SourceSpan>,
}

/// A `test "NAME" { … }` block of a build (kiln's test stage): checks run
/// against a machine started fresh from the build's artifact.
#[derive(Debug, Clone)]
pub struct TestDecl {
    pub name: String,
    /// The block's own arguments (`only`, `except`, `boot_timeout`,
    /// `keep_failed_artifact`), the nested blocks taken out.
    pub settings: FileBody,
    /// Its `provisioner "TYPE"`, `check "NAME"` and `testinfra` blocks, in
    /// order, each as a provisioner of its type (`check`, `testinfra`).
    pub steps: Vec<ComponentBlock>,
    pub span: Option<SourceSpan>,
}

/// Everything a configuration declares.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    pub packer: Vec<PackerBlock>,
    pub variables: Vec<VariableDecl>,
    pub locals: Vec<LocalDecl>,
    pub data: Vec<DataDecl>,
    pub sources: Vec<SourceDecl>,
    pub builds: Vec<BuildDecl>,
    /// A top-level `hcp_packer_registry`: for every build without its own.
    pub hcp_packer_registry: Option<super::hcp_registry::HcpRegistry>,
}
