package deploy

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Volumes  []string `yaml:"volumes"`
	User     string   `yaml:"user"`
	ReadOnly bool     `yaml:"read_only"`
	CapDrop  []string `yaml:"cap_drop"`
	Restart  string   `yaml:"restart"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(interpolate(b), &c))
	return c
}

var varRE = regexp.MustCompile(`\$\{(\w+)(?::?[-?]([^}]*))?\}`)

// interpolate resolves ${VAR:-default} the way compose does with nothing set in the
// environment, so that the checks see the values a fresh checkout runs with.
func interpolate(b []byte) []byte {
	return varRE.ReplaceAllFunc(b, func(m []byte) []byte {
		return varRE.FindSubmatch(m)[2]
	})
}

func TestCompose(t *testing.T) {
	t.Parallel()
	for _, p := range checkCompose(loadCompose(t)) {
		t.Error(p)
	}
}

// TestComposeChecksFire breaks the stack in memory and expects the check to notice.
func TestComposeChecksFire(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		want   string
		breaks func(c *composeFile)
	}{
		{"no migrate", "migrate", func(c *composeFile) { delete(c.Services, "migrate") }},
		{"app does not wait for migrate", "service_completed_successfully", func(c *composeFile) {
			s := c.Services["app"]
			delete(s.DependsOn, "migrate")
			c.Services["app"] = s
		}},
		{"app starts before migrate ends", "service_completed_successfully", func(c *composeFile) {
			s := c.Services["app"]
			s.DependsOn["migrate"] = struct {
				Condition string `yaml:"condition"`
			}{"service_started"}
			c.Services["app"] = s
		}},
		{"migrate does not migrate", "migrate", func(c *composeFile) {
			s := c.Services["migrate"]
			s.Command = []string{"serve"}
			c.Services["migrate"] = s
		}},
		{"no postgres healthcheck", "healthcheck", func(c *composeFile) {
			s := c.Services["postgres"]
			s.Healthcheck = nil
			c.Services["postgres"] = s
		}},
		{"latest image", "tag", func(c *composeFile) {
			s := c.Services["redis"]
			s.Image = "redis:latest"
			c.Services["redis"] = s
		}},
		{"old postgres", "PostgreSQL", func(c *composeFile) {
			s := c.Services["postgres"]
			s.Image = "postgres:13"
			c.Services["postgres"] = s
		}},
		{"no roles script", "roles.sql", func(c *composeFile) {
			s := c.Services["postgres"]
			s.Volumes = s.Volumes[:1]
			c.Services["postgres"] = s
		}},
		{"owner credentials in app", "owner", func(c *composeFile) {
			s := c.Services["app"]
			s.Environment = map[string]string{}
			for k, v := range c.Services["migrate"].Environment {
				s.Environment[k] = v
			}
			c.Services["app"] = s
		}},
		{"app as owner", "carta_app", func(c *composeFile) {
			s := c.Services["app"]
			s.Environment["DATABASE_URL"] = "postgres://carta_owner:x@postgres:5432/carta"
			c.Services["app"] = s
		}},
		{"no mail catcher", "mailpit", func(c *composeFile) { delete(c.Services, "mailpit") }},
		{"root", "65532", func(c *composeFile) {
			s := c.Services["app"]
			s.User = ""
			c.Services["app"] = s
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := loadCompose(t)
			require.Empty(t, checkCompose(c), "the unbroken stack must pass")
			tc.breaks(&c)
			problems := checkCompose(c)
			require.NotEmpty(t, problems, "breaking %s went unnoticed", tc.name)
			require.Contains(t, strings.Join(problems, "\n"), tc.want)
		})
	}
}

func checkCompose(c composeFile) []string {
	var p []string
	fail := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }

	for _, name := range []string{"postgres", "redis", "mailpit", "migrate", "app"} {
		if _, ok := c.Services[name]; !ok {
			fail("service %s is missing", name)
		}
	}
	for name, s := range c.Services {
		if s.Build == nil {
			if err := pinnedImage(s.Image); err != nil {
				fail("service %s: image %q: %v", name, s.Image, err)
			}
		}
	}
	for _, name := range []string{"postgres", "redis", "mailpit"} {
		if s, ok := c.Services[name]; ok && (s.Healthcheck == nil || len(s.Healthcheck.Test) == 0) {
			fail("service %s: no healthcheck, so nothing can wait for it", name)
		}
	}

	if pg, ok := c.Services["postgres"]; ok {
		if !imageMajorAtLeast(pg.Image, "postgres", 15) {
			fail("service postgres: image %s, want PostgreSQL 15 or later", pg.Image)
		}
		var initScript, rolesSQL bool
		for _, v := range pg.Volumes {
			src, dst, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../") {
				if _, err := os.Stat(src); err != nil {
					fail("service postgres: volume source %s does not exist", src)
				}
			}
			initScript = initScript || strings.HasPrefix(dst, "/docker-entrypoint-initdb.d/")
			rolesSQL = rolesSQL || strings.HasSuffix(src, "sql/roles.sql")
		}
		if !initScript || !rolesSQL {
			fail("service postgres: must mount sql/roles.sql and an init script in /docker-entrypoint-initdb.d")
		}
	}
	if r, ok := c.Services["redis"]; ok && !imageMajorAtLeast(r.Image, "redis", 7) {
		fail("service redis: image %s, want Redis 7 or later", r.Image)
	}

	mig, migOK := c.Services["migrate"]
	if migOK {
		if !slices.Equal(mig.Command, []string{"migrate"}) {
			fail("service migrate: command %v, want [migrate]", mig.Command)
		}
		if mig.DependsOn["postgres"].Condition != "service_healthy" {
			fail("service migrate: must wait for postgres to be service_healthy")
		}
		if u := dbUser(mig.Environment["MIGRATE_DATABASE_URL"]); u != "carta_owner" {
			fail("service migrate: MIGRATE_DATABASE_URL connects as %q, want the owner carta_owner", u)
		}
		if mig.Restart != "no" && mig.Restart != "" {
			fail("service migrate: restart %q: a one-shot must not restart", mig.Restart)
		}
	}

	if app, ok := c.Services["app"]; ok {
		if !slices.Equal(app.Command, []string{"serve"}) {
			fail("service app: command %v, want [serve]", app.Command)
		}
		for dep, cond := range map[string]string{
			"postgres": "service_healthy",
			"redis":    "service_healthy",
			"migrate":  "service_completed_successfully",
		} {
			if got := app.DependsOn[dep].Condition; got != cond {
				fail("service app: depends_on %s is %q, want %s", dep, got, cond)
			}
		}
		if u := dbUser(app.Environment["DATABASE_URL"]); u != "carta_app" {
			fail("service app: DATABASE_URL connects as %q, want the runtime role carta_app", u)
		}
		if app.Environment["MIGRATE_DATABASE_URL"] != "" {
			fail("service app: receives MIGRATE_DATABASE_URL, the owner role's credentials")
		}
		if h := app.Environment["SMTP_HOST"]; h == "" {
			fail("service app: no SMTP_HOST")
		} else if _, ok := c.Services[h]; !ok {
			fail("service app: SMTP_HOST %s is not a service of the stack (want the mailpit catcher)", h)
		}
		if app.User != "65532:65532" || !app.ReadOnly || !slices.Contains(app.CapDrop, "ALL") {
			fail("service app: want user 65532:65532, read_only and cap_drop ALL")
		}
		if app.Build == nil {
			fail("service app: no build section")
		} else if _, err := os.Stat(filepath.Join(app.Build.Context, app.Build.Dockerfile)); err != nil {
			fail("service app: Dockerfile %s in context %s: %v", app.Build.Dockerfile, app.Build.Context, err)
		}
		if migOK && mig.Image != app.Image {
			fail("services app and migrate run different images (%s, %s)", app.Image, mig.Image)
		}
		for _, k := range []string{"CARTA_ENV", "BASE_DOMAIN", "REDIS_URL", "LISTEN_ADDR"} {
			if app.Environment[k] == "" {
				fail("service app: %s is empty", k)
			}
		}
	}
	return p
}

func dbUser(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return ""
	}
	return u.User.Username()
}

var majorRE = regexp.MustCompile(`^(\d+)`)

func imageMajorAtLeast(image, repo string, min int) bool {
	r, tag, ok := strings.Cut(image, ":")
	if !ok || (r != repo && !strings.HasSuffix(r, "/"+repo)) {
		return false
	}
	m := majorRE.FindString(tag)
	n := 0
	for _, d := range m {
		n = n*10 + int(d-'0')
	}
	return m != "" && n >= min
}

// TestDockerfile reads the Dockerfile (docker cannot run here) and checks what the image
// promises: pinned bases, a static build, a non-root distroless runtime serving on 8080.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	f, err := os.Open("Dockerfile")
	require.NoError(t, err)
	defer f.Close()

	args := map[string]string{}
	var froms, lines []string
	var cont strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cont.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cont.WriteString(line)
		line, _ = strings.CutSuffix(cont.String(), " ")
		cont.Reset()
		lines = append(lines, line)
		instr, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "ARG":
			k, v, _ := strings.Cut(rest, "=")
			args[k] = v
		case "FROM":
			img := strings.Fields(rest)[0]
			img = regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(img, func(m string) string {
				return args[m[2:len(m)-1]]
			})
			froms = append(froms, img)
		}
	}
	require.NoError(t, sc.Err())

	require.GreaterOrEqual(t, len(froms), 3, "multi-stage: assets, build, runtime")
	for _, img := range froms {
		require.NoError(t, pinnedImage(img), "base image %s", img)
	}
	require.True(t, strings.HasPrefix(froms[0], "node:20"), "assets stage on node:20, got %s", froms[0])
	require.True(t, strings.HasPrefix(froms[1], "golang:1.26"), "build stage on golang:1.26, got %s", froms[1])
	runtime := froms[len(froms)-1]
	require.True(t, strings.HasPrefix(runtime, "gcr.io/distroless/static") || runtime == "scratch", "runtime %s", runtime)

	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"npm ci --no-audit --no-fund",
		"sh scripts/assets.sh",
		"CGO_ENABLED=0",
		"go build -trimpath",
		"./cmd/carta",
		"USER 65532:65532",
		"EXPOSE 8080",
		`ENTRYPOINT ["/usr/local/bin/carta"]`,
		`CMD ["serve"]`,
	} {
		require.Contains(t, all, want)
	}
	// The last USER wins: the runtime stage must not switch back to root.
	var lastUser string
	for _, l := range lines {
		if u, ok := strings.CutPrefix(l, "USER "); ok {
			lastUser = u
		}
	}
	require.Equal(t, "65532:65532", lastUser)

	// What the build copies from the repository must exist and must not be ignored.
	ignore, err := os.ReadFile("Dockerfile.dockerignore")
	require.NoError(t, err)
	for _, need := range []string{"go.mod", "go.sum", "package.json", "package-lock.json", "cmd", "internal", "db", "scripts"} {
		for _, pat := range strings.Split(string(ignore), "\n") {
			pat = strings.TrimPrefix(strings.TrimSpace(pat), "/")
			require.NotEqual(t, need, pat, "Dockerfile.dockerignore excludes %s, which the build needs", need)
		}
	}
	for _, need := range []string{"go.mod", "go.sum", "package.json", "package-lock.json", "scripts/assets.sh", "cmd/carta"} {
		_, err := os.Stat(filepath.Join("..", need))
		require.NoError(t, err, "the image build copies %s", need)
	}
}
