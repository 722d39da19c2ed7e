//! REPRODUCTION.md's tables are what the committed results give: each study's table, as
//! `study NAME --redraw` writes it from `reproduction/`'s CSVs, is the committed
//! `reproduction/<study>.md` and the block REPRODUCTION.md holds between
//! `<!-- table: NAME -->` and `<!-- /table -->`. A number typed by hand, or a CSV
//! rerun without its table, fails here.

use std::path::Path;

use surrogate_lab::sweep::studies::{Committed, Study};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn table(study: Study) -> String {
    Committed::read(study, &root().join("reproduction"))
        .unwrap_or_else(|e| panic!("{}: {e}", study.name()))
        .table(study)
}

#[test]
fn every_committed_table_is_what_its_csvs_give() {
    for study in Study::ALL {
        let path = root()
            .join("reproduction")
            .join(format!("{}.md", study.name()));
        let committed =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            committed,
            table(study),
            "{} is not what `surrogate-lab study {} --redraw` writes from the CSVs",
            path.display(),
            study.name()
        );
    }
}

#[test]
fn reproduction_md_holds_each_studys_table_as_the_csvs_give_it() {
    let text = std::fs::read_to_string(root().join("REPRODUCTION.md")).expect("REPRODUCTION.md");
    for study in Study::ALL {
        let open = format!("<!-- table: {} -->\n", study.name());
        let start = text
            .find(&open)
            .unwrap_or_else(|| panic!("REPRODUCTION.md has no `{}`", open.trim()))
            + open.len();
        let len = text[start..]
            .find("<!-- /table -->")
            .unwrap_or_else(|| panic!("the {} table is not closed", study.name()));
        assert_eq!(
            &text[start..start + len],
            table(study),
            "REPRODUCTION.md's {} table differs from its CSVs",
            study.name()
        );
    }
}
