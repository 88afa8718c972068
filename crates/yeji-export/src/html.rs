//! A document as one standalone HTML page: its own small style sheet, no
//! scripts, printable.

use maud::{DOCTYPE, html as page};

use crate::{Block, Doc};

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;max-width:60em;\
margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.5em;margin-bottom:.2em}.sub{color:#666}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ccc;padding:.3em .5em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}";

pub fn html(doc: &Doc) -> String {
    page! {
        (DOCTYPE)
        html lang=(doc.lang) {
            head { meta charset="utf-8"; title { (doc.title) } style { (STYLE) } }
            body {
                h1 { (doc.title) }
                p.sub { (doc.subtitle) }
                @for block in &doc.blocks {
                    @match block {
                        Block::Heading(text) => h2 { (text) },
                        Block::Paragraph(text) => p { (text) },
                        Block::Bullets(items) => ul { @for item in items { li { (item) } } },
                        Block::Table { header, rows } => table {
                            thead { tr { @for h in header { th { (h) } } } }
                            tbody { @for row in rows { tr { @for cell in row { td { (cell) } } } } }
                        },
                    }
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_every_block_is_there() {
        let doc = Doc {
            title: "张三 <R1>".into(),
            subtitle: "2026-Q3".into(),
            lang: "zh-CN".into(),
            blocks: vec![
                Block::Heading("正面肯定".into()),
                Block::Bullets(vec!["销售额 12.3万".into()]),
                Block::Table { header: vec!["项目".into()], rows: vec![vec!["a & b".into()]] },
            ],
        };
        let out = html(&doc);
        assert!(out.contains("<title>张三 &lt;R1&gt;</title>") && out.contains("<html lang=\"zh-CN\">"), "{out}");
        assert!(out.contains("<h2>正面肯定</h2>") && out.contains("<li>销售额 12.3万</li>"));
        assert!(out.contains("<th>项目</th>") && out.contains("<td>a &amp; b</td>"));
    }
}
