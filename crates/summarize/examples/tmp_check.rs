use lede_summarize::rouge::{RougeScorer, Stemming};
use std::io::BufRead;
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        if mode == "stem" {
            println!("{}", lede_summarize::porter::stem(&line));
        } else {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            let r = v["ref"].as_str().unwrap();
            let c = v["cand"].as_str().unwrap();
            for st in [Stemming::Off, Stemming::Porter] {
                let s = RougeScorer::new(st).score(r, c);
                print!(
                    "{:.6} {:.6} {:.6} {:.6} ",
                    s.rouge1.f1, s.rouge2.f1, s.rouge_l.f1, s.rouge_lsum.f1
                );
            }
            println!();
        }
    }
}
