//! A sandbox for policy expressions written in rhai.
//!
//! A rule's `expression` is a single rhai expression over the finding's
//! facts, for the cases a table of conditions cannot say ("CVSS at least 8,
//! or 6 on a PCI host"). Policy files are configuration, not code, so the
//! engine is locked down: expressions only (no statements or loops), strict
//! variables (a misspelt name fails when the policy is loaded), bounded
//! operations, string/array/map sizes and call depth, no `eval`, no
//! closures (rhai does not count their work against the limit), no module
//! imports, no compile-time constant folding (which would run code outside
//! the operation limit), and `print`/`debug` routed to the log instead of
//! stdout. rhai has no file or network access of its own.

use rhai::{Array, Dynamic, Engine, Scope};

use super::FindingFacts;

const MAX_OPERATIONS: u64 = 10_000;
const MAX_STRING_SIZE: usize = 4_096;
const MAX_ARRAY_SIZE: usize = 1_024;
const MAX_MAP_SIZE: usize = 256;
const MAX_CALL_LEVELS: usize = 16;
const MAX_EXPRESSION_DEPTH: usize = 32;

/// The locked-down engine; `Send + Sync`, shared by worker threads.
#[derive(Debug)]
pub struct Sandbox {
    engine: Engine,
}

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Expression {
    ast: rhai::AST,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let mut engine = Engine::new();
        engine
            .set_max_operations(MAX_OPERATIONS)
            .set_max_string_size(MAX_STRING_SIZE)
            .set_max_array_size(MAX_ARRAY_SIZE)
            .set_max_map_size(MAX_MAP_SIZE)
            .set_max_call_levels(MAX_CALL_LEVELS)
            .set_max_expr_depths(MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_DEPTH)
            .set_strict_variables(true)
            .set_optimization_level(rhai::OptimizationLevel::None)
            .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
        engine.disable_symbol("eval");
        // Closures run by native functions such as `map` are not counted
        // against the operation limit, so anonymous functions are refused.
        engine.disable_symbol("|");
        engine.on_print(|text| tracing::debug!(target: "patchpilot::risk", "policy print: {text}"));
        engine.on_debug(
            |text, _, _| tracing::debug!(target: "patchpilot::risk", "policy debug: {text}"),
        );
        Sandbox { engine }
    }

    /// Compiles an expression, checking every variable name it uses.
    pub fn compile(&self, source: &str) -> Result<Expression, String> {
        let scope = scope_for(&FindingFacts::sample());
        self.engine
            .compile_expression_with_scope(&scope, source)
            .map(|ast| Expression { ast })
            .map_err(|error| error.to_string())
    }

    /// Evaluates an expression for one finding; it must give a boolean.
    pub fn evaluate(
        &self,
        expression: &Expression,
        facts: &FindingFacts<'_>,
    ) -> Result<bool, String> {
        let mut scope = scope_for(facts);
        let value: Dynamic = self
            .engine
            .eval_ast_with_scope(&mut scope, &expression.ast)
            .map_err(|error| error.to_string())?;
        value
            .as_bool()
            .map_err(|type_name| format!("the expression gave a `{type_name}`, not a `bool`"))
    }
}

fn strings(items: &[String]) -> Array {
    items.iter().map(|item| Dynamic::from(item.clone())).collect()
}

/// The variables an expression sees.
fn scope_for(facts: &FindingFacts<'_>) -> Scope<'static> {
    let mut scope = Scope::new();
    scope.push_constant("kind", kind_name(facts));
    scope.push_constant("severity", facts.severity.as_str().to_string());
    scope.push_constant("cvss", facts.cvss.unwrap_or(0.0));
    scope.push_constant("has_cvss", facts.cvss.is_some());
    scope.push_constant("kev", facts.kev.is_some());
    scope.push_constant("ransomware", facts.kev.is_some_and(|kev| kev.known_ransomware_use));
    scope.push_constant("epss", facts.epss.map_or(0.0, |epss| epss.score));
    scope.push_constant("epss_percentile", facts.epss.map_or(0.0, |epss| epss.percentile));
    scope.push_constant("tags", strings(facts.tags));
    scope.push_constant("tier", facts.tier.to_string());
    scope.push_constant("environment", facts.environment.unwrap_or_default().to_string());
    scope.push_constant("fix_available", facts.fix_available);
    // `package` is a reserved word in rhai, so the name is `package_name`.
    scope.push_constant("package_name", facts.package.to_string());
    scope.push_constant("advisory", facts.advisory.to_string());
    scope.push_constant("cves", strings(facts.cves));
    scope
}

fn kind_name(facts: &FindingFacts<'_>) -> String {
    serde_json::to_value(facts.kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_see_the_finding() {
        let sandbox = Sandbox::new();
        let facts = FindingFacts::sample();
        let expression =
            sandbox.compile(r#"cvss >= 7.0 && tags.contains("pci") && tier == "tier1""#).unwrap();
        assert!(sandbox.evaluate(&expression, &facts).unwrap());
    }

    /// The package's name was documented as `package`, a reserved word in
    /// rhai, so no rule could refer to it.
    #[test]
    fn every_documented_variable_can_be_used() {
        let sandbox = Sandbox::new();
        let facts = FindingFacts::sample();
        let source = r#"kind != "" && severity != "" && cvss >= 0.0 && (has_cvss || !has_cvss)
            && (kev || !kev) && (ransomware || !ransomware) && epss >= 0.0
            && epss_percentile >= 0.0 && tags.len() >= 0 && tier != "" && environment == environment
            && (fix_available || !fix_available) && package_name != "" && advisory != ""
            && cves.len() >= 0"#;
        let expression = sandbox.compile(source).unwrap();
        assert!(sandbox.evaluate(&expression, &facts).unwrap());
    }

    #[test]
    fn misspelt_variables_fail_at_compile_time() {
        let error = Sandbox::new().compile("cvs >= 7.0").unwrap_err();
        assert!(error.contains("cvs"), "{error}");
    }

    #[test]
    fn statements_eval_and_imports_are_refused() {
        let sandbox = Sandbox::new();
        assert!(sandbox.compile("let x = 1; x").is_err());
        assert!(sandbox.compile(r#"eval("1")"#).is_err());
        assert!(sandbox.compile(r#"import "x" as y"#).is_err());
    }

    #[test]
    fn runaway_expressions_are_refused() {
        let sandbox = Sandbox::new();
        let facts = FindingFacts::sample();
        let huge_string = sandbox.compile(r#""a".pad(100000, "b").len() > 0"#).unwrap();
        let error = sandbox.evaluate(&huge_string, &facts).unwrap_err();
        assert!(error.to_lowercase().contains("string"), "{error}");

        // Closures passed to `map` escape rhai's operation count, so they
        // are not part of the language here.
        let error = sandbox.compile("tags.map(|t| t + t).len() > 0").unwrap_err();
        assert!(error.contains('|'), "{error}");

        let deep = vec!["1"; 5000].join(" + ") + " > 0";
        assert!(sandbox.compile(&deep).is_err());
    }

    #[test]
    fn non_boolean_results_are_errors() {
        let sandbox = Sandbox::new();
        let expression = sandbox.compile("cvss + 1.0").unwrap();
        assert!(sandbox.evaluate(&expression, &FindingFacts::sample()).is_err());
    }
}
