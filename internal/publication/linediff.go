package publication

import "strings"

// Context is how many unchanged lines a line diff keeps around each change; longer unchanged
// runs are replaced by one LineSkipped line, so a one-line edit in a long text reads quickly.
const Context = 2

// maxDiffCells bounds the work of the longest-common-subsequence table; texts beyond it (tens
// of thousands of lines) are shown as all removed then all added.
const maxDiffCells = 4_000_000

// LineDiff compares two texts line by line (trailing spaces and blank-line runs ignored).
func LineDiff(old, new string) []Line {
	return lineDiff(splitLines(old), splitLines(new))
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	blank := true // drop leading blank lines and collapse runs of them
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// lineDiff returns the edit script from a to b (removals before additions within a change),
// with unchanged runs longer than the context folded. It never returns nil, so a
// FieldChange built from it is always "long".
func lineDiff(a, b []string) []Line {
	// Common prefix and suffix first: most edits touch a few lines of a long text.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]Line, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		out = append(out, Line{Op: LineSame, Text: l})
	}
	out = append(out, middle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, Line{Op: LineSame, Text: l})
	}
	return fold(out)
}

// middle diffs the differing core with a longest-common-subsequence table.
func middle(a, b []string) []Line {
	n, m := len(a), len(b)
	var out []Line
	if n*m > maxDiffCells || n == 0 || m == 0 {
		for _, l := range a {
			out = append(out, Line{Op: LineRemoved, Text: l})
		}
		for _, l := range b {
			out = append(out, Line{Op: LineAdded, Text: l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	// Walk it, emitting removals of a hunk before its additions so old and new text read as
	// blocks.
	var rem, add []Line
	flush := func() {
		out = append(out, rem...)
		out = append(out, add...)
		rem, add = rem[:0], add[:0]
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			flush()
			out = append(out, Line{Op: LineSame, Text: a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			rem = append(rem, Line{Op: LineRemoved, Text: a[i]})
			i++
		default:
			add = append(add, Line{Op: LineAdded, Text: b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		rem = append(rem, Line{Op: LineRemoved, Text: a[i]})
	}
	for ; j < m; j++ {
		add = append(add, Line{Op: LineAdded, Text: b[j]})
	}
	flush()
	return out
}

// fold replaces unchanged runs farther than Context lines from any change with one
// LineSkipped line (only when that hides at least two lines: hiding one saves nothing).
func fold(ls []Line) []Line {
	keep := make([]bool, len(ls))
	for i, l := range ls {
		if l.Op == LineSame {
			continue
		}
		for k := max(0, i-Context); k <= min(len(ls)-1, i+Context); k++ {
			keep[k] = true
		}
	}
	out := make([]Line, 0, len(ls))
	for i := 0; i < len(ls); {
		if keep[i] || ls[i].Op != LineSame {
			out = append(out, ls[i])
			i++
			continue
		}
		j := i
		for j < len(ls) && !keep[j] {
			j++
		}
		if j-i >= 2 {
			out = append(out, Line{Op: LineSkipped, Skipped: j - i})
		} else {
			out = append(out, ls[i:j]...)
		}
		i = j
	}
	return out
}
