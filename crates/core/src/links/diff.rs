//! A unified diff of a file whose lines were edited in place (link rewriting never adds or
//! removes a line), for `--dry-run`.

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// `old` and `new` have the same number of lines; `label` names the file in the headers.
pub(crate) fn unified(label: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = format!("--- {label}\n+++ {label}\n");
    if a.len() != b.len() {
        // Not the edits this is for: the whole file, replaced.
        whole(&mut out, &a, &b);
        return out;
    }
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(CONTEXT);
        let mut last = changed[i];
        while i + 1 < changed.len() && changed[i + 1] <= last + 2 * CONTEXT + 1 {
            i += 1;
            last = changed[i];
        }
        let end = (last + CONTEXT + 1).min(a.len());
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            start + 1,
            end - start,
            start + 1,
            end - start
        ));
        for j in start..end {
            if a[j] == b[j] {
                line(&mut out, ' ', a[j]);
            } else {
                line(&mut out, '-', a[j]);
                line(&mut out, '+', b[j]);
            }
        }
        i += 1;
    }
    out
}

fn whole(out: &mut String, a: &[&str], b: &[&str]) {
    out.push_str(&format!("@@ -1,{} +1,{} @@\n", a.len(), b.len()));
    for l in a {
        line(out, '-', l);
    }
    for l in b {
        line(out, '+', l);
    }
}

fn line(out: &mut String, mark: char, text: &str) {
    out.push(mark);
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn changed_lines_get_context() {
        let old = "1\n2\n3\n4\n5\nx\n7\n8\n9\n10\n11\n12\n13\n14\ny";
        let new = old.replace('x', "X").replace('y', "Y");
        assert_eq!(
            super::unified("n.md", old, &new),
            "--- n.md\n+++ n.md\n@@ -3,7 +3,7 @@\n 3\n 4\n 5\n-x\n+X\n 7\n 8\n 9\n\
             @@ -12,4 +12,4 @@\n 12\n 13\n 14\n-y\n\\ No newline at end of file\n+Y\n\\ No newline at end of file\n"
        );
    }
}
