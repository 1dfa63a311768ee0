package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkdownIsSanitised(t *testing.T) {
	for _, tc := range []struct{ in, mustNot string }{
		{`<script>alert(1)</script>ciao`, "<script"},
		{`<img src=x onerror="alert(1)">`, "onerror"},
		{`[clicca](javascript:alert(1))`, "javascript:"},
		{`[clicca](JaVaScRiPt:alert(1))`, "avascript"},
		{`<a href="javascript:alert(1)">x</a>`, "javascript:"},
		{`<p style="background:url(x)">x</p>`, "style"},
		{`<iframe src="https://evil.example"></iframe>`, "<iframe"},
		{`[x](data:text/html;base64,PHNjcmlwdD4=)`, "data:"},
		{`<svg onload=alert(1)>`, "onload"},
	} {
		out := string(Markdown(tc.in))
		require.NotContains(t, strings.ToLower(out), strings.ToLower(tc.mustNot), "input %q gave %q", tc.in, out)
	}
}

func TestMarkdownKeepsUsefulMarkup(t *testing.T) {
	out := string(Markdown("**Importante**: porta l'[ISEE](https://www.inps.it).\n\n- carta d'identità\n- ISEE"))
	require.Contains(t, out, "<strong>Importante</strong>")
	require.Contains(t, out, `href="https://www.inps.it"`)
	require.Contains(t, out, `rel="nofollow"`)
	require.Contains(t, out, "<li>carta d&#39;identità</li>")
	require.Equal(t, "", string(Markdown("")))
	require.Equal(t, "Importante: porta l'ISEE.", strings.TrimSpace(PlainText("**Importante**: porta l'[ISEE](https://www.inps.it).")))
}
