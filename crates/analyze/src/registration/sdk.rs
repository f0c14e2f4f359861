//! Which MCP SDK a module belongs to: one row per SDK and the module names it
//! is imported by.

use mcpwarden_lang::Family;

/// How a row matches a module name.
enum Module {
    /// The module or any of its submodules (`mcp`, `mcp.server.fastmcp`;
    /// `rmcp`, `rmcp::handler`).
    Top(&'static str),
    /// Any module whose name starts so (npm scopes, Go and JVM paths).
    Prefix(&'static str),
    /// Exactly this module, or a path under it (`fastmcp`, `fastmcp/x`).
    Package(&'static str),
}

/// (language, module, SDK name). The first matching row wins: more specific
/// prefixes come first (the Kotlin SDK before the Java SDK).
const SDKS: &[(Family, Module, &str)] = {
    use Family::*;
    use Module::*;
    &[
        (
            JavaScript,
            Prefix("@modelcontextprotocol/sdk"),
            "@modelcontextprotocol/sdk",
        ),
        (
            JavaScript,
            Prefix("@modelcontextprotocol/server"),
            "@modelcontextprotocol/server",
        ),
        (JavaScript, Package("fastmcp"), "fastmcp"),
        (JavaScript, Package("mcp-framework"), "mcp-framework"),
        (JavaScript, Prefix("@mastra/mcp"), "@mastra/mcp"),
        (JavaScript, Prefix("mcp-use"), "mcp-use"),
        (
            JavaScript,
            Package("@supabase/mcp-utils"),
            "@supabase/mcp-utils",
        ),
        // Vercel's adapter (first published as @vercel/mcp-adapter).
        (JavaScript, Package("mcp-handler"), "mcp-handler"),
        (JavaScript, Package("@vercel/mcp-adapter"), "mcp-handler"),
        (JavaScript, Package("xmcp"), "xmcp"),
        (Python, Top("mcp"), "mcp"),
        (Python, Top("fastmcp"), "fastmcp"),
        (Python, Top("mcp_use"), "mcp-use"),
        (Python, Top("chuk_mcp_server"), "chuk-mcp-server"),
        (Go, Prefix("github.com/mark3labs/mcp-go"), "mcp-go"),
        (
            Go,
            Prefix("github.com/modelcontextprotocol/go-sdk"),
            "go-sdk",
        ),
        (Go, Prefix("github.com/metoro-io/mcp-golang"), "mcp-golang"),
        (Rust, Top("rmcp"), "rmcp"),
        (Rust, Top("rust_mcp_sdk"), "rust-mcp-sdk"),
        (Rust, Top("mcp_server"), "mcp-sdk-rs"),
        (Rust, Top("mcp_sdk"), "mcp-sdk-rs"),
        (
            Jvm,
            Prefix("io.modelcontextprotocol.kotlin.sdk"),
            "kotlin-sdk",
        ),
        (Jvm, Prefix("io.modelcontextprotocol"), "mcp-java-sdk"),
        (Jvm, Prefix("org.springframework.ai.tool"), "spring-ai"),
        (Jvm, Prefix("org.springframework.ai.mcp"), "spring-ai"),
        // `@McpTool` of the Spring AI community annotations (Spring AI 1.1).
        (Jvm, Prefix("org.springaicommunity.mcp"), "spring-ai"),
        (Jvm, Prefix("io.quarkiverse.mcp"), "quarkus-mcp"),
        (CSharp, Prefix("ModelContextProtocol"), "csharp-sdk"),
    ]
};

/// The MCP SDK a module specifier belongs to, if any.
pub fn sdk_of(family: Family, module: &str) -> Option<&'static str> {
    SDKS.iter()
        .find(|(f, m, _)| *f == family && matches(m, family, module))
        .map(|(_, _, sdk)| *sdk)
}

fn matches(m: &Module, family: Family, module: &str) -> bool {
    match *m {
        Module::Prefix(p) => module.starts_with(p),
        Module::Package(p) => {
            module == p || module.strip_prefix(p).is_some_and(|r| r.starts_with('/'))
        }
        Module::Top(t) => {
            let sep = if family == Family::Rust { "::" } else { "." };
            module.split(sep).next() == Some(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_name_their_sdk() {
        use Family::*;
        let cases = [
            (
                JavaScript,
                "@modelcontextprotocol/sdk/server/mcp.js",
                Some("@modelcontextprotocol/sdk"),
            ),
            (JavaScript, "fastmcp", Some("fastmcp")),
            (JavaScript, "fastmcp/auth", Some("fastmcp")),
            (JavaScript, "fastmcpx", None),
            (
                JavaScript,
                "mcp-framework/dist/tools",
                Some("mcp-framework"),
            ),
            (Python, "mcp.server.fastmcp", Some("mcp")),
            (Python, "mcpx", None),
            (Rust, "rmcp::handler::server", Some("rmcp")),
            (Rust, "mcp_sdk::types", Some("mcp-sdk-rs")),
            (
                Jvm,
                "io.modelcontextprotocol.kotlin.sdk.server",
                Some("kotlin-sdk"),
            ),
            (
                Jvm,
                "io.modelcontextprotocol.server.McpServer",
                Some("mcp-java-sdk"),
            ),
            (Go, "github.com/mark3labs/mcp-go/server", Some("mcp-go")),
            (CSharp, "ModelContextProtocol.Server", Some("csharp-sdk")),
            (CSharp, "System.Net", None),
        ];
        for (family, module, want) in cases {
            assert_eq!(sdk_of(family, module), want, "{module}");
        }
    }
}
