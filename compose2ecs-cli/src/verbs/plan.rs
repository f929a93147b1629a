//! `compose2ecs plan`: what `deploy` would change, against the live
//! account, before it runs (`steps/plan.rs` compares). Exit status 0 when
//! nothing would change, [`CHANGES`] when something would.

use serde_json::json;

use crate::args::PlanArgs;
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::steps::plan::{CHANGES, plan_families, plan_json, plan_text, report_summary};

pub(crate) fn run(args: &PlanArgs) -> Ended {
    let ctx = Context::resolve(&args.conversion, &args.families, None)?;
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let families = ctx.chosen(&args.families)?;
    let aws = ctx.aws(&args.aws_cli, false);
    let names: Vec<&str> = families.iter().map(String::as_str).collect();
    crate::steps::capability::check(&aws, conversion, &names, false)
        .map_err(|m| reporter.fail(&m))?;
    let plans = plan_families(&aws, conversion, &names)
        .map_err(|(family, e)| reporter.fail(&format!("reading `{family}` failed: {e}")))?;
    let changed = plans.iter().filter(|p| p.changes()).count();
    if reporter.json {
        let doc = json!({
            "status": if changed == 0 { "no-changes" } else { "changes" },
            "families": plans.iter().map(|p| plan_json(p, conversion)).collect::<Vec<_>>(),
        });
        let _ = crate::report::document(&doc);
    } else {
        let text: String = plans.iter().map(|p| plan_text(p, conversion)).collect();
        let _ = crate::report::stdout(text.as_bytes());
    }
    report_summary(reporter, changed, plans.len());
    Ok(if changed == 0 {
        Outcome::Success
    } else {
        Outcome::Exit(CHANGES)
    })
}
