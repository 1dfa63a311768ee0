// Package devenv brings up private PostgreSQL and Redis servers for development and tests from
// the machine's own binaries, in a data folder of the project, on ports of their own so they
// never collide with servers already running. When the binaries are missing and the process
// runs as root on Debian, it installs the packages first. It also creates the database roles
// the product expects (owner, runtime group, runtime login), exactly as an operator would with
// deploy/sql/roles.sql.
package devenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Role names shared with deploy/sql/roles.sql.
const (
	OwnerRole   = "carta_owner"
	RuntimeRole = "carta_runtime" // NOLOGIN group the migrations grant to
	AppRole     = "carta_app"     // LOGIN, member of RuntimeRole
)

// Options say where the servers live.
type Options struct {
	Dir       string // data folder; default <project>/.data
	PGPort    int    // default 55432
	RedisPort int    // default 56379
	Log       *slog.Logger
}

// Servers are the running private servers.
type Servers struct {
	PGAdminURL string // superuser, for bootstrap and test databases only
	PGHost     string
	PGPort     int
	RedisURL   string // without database number
}

// URLFor returns a postgres URL for role on database name (trust authentication locally).
func (s *Servers) URLFor(role, dbname string) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", role, s.PGHost, s.PGPort, dbname)
}

// ProjectRoot finds the directory holding go.mod, from the working directory upwards.
func ProjectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("devenv: go.mod not found above the working directory")
		}
		dir = parent
	}
}

func (o *Options) defaults() error {
	if o.Dir == "" {
		if d := os.Getenv("CARTA_DATA_DIR"); d != "" {
			o.Dir = d
		} else {
			root, err := ProjectRoot()
			if err != nil {
				return err
			}
			o.Dir = filepath.Join(root, ".data")
		}
	}
	if o.PGPort == 0 {
		o.PGPort = envInt("CARTA_PG_PORT", 55432)
	}
	if o.RedisPort == 0 {
		o.RedisPort = envInt("CARTA_REDIS_PORT", 56379)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	abs, err := filepath.Abs(o.Dir)
	o.Dir = abs
	return err
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}

// Ensure starts the servers unless they already run, and bootstraps the roles. It is safe to
// call from several processes at once (go test runs packages in parallel): a file lock
// serialises them.
func Ensure(ctx context.Context, o Options) (*Servers, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(o.Dir, "devenv.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	s := &Servers{PGHost: "127.0.0.1", PGPort: o.PGPort,
		RedisURL: fmt.Sprintf("redis://127.0.0.1:%d", o.RedisPort)}
	s.PGAdminURL = s.URLFor("postgres", "postgres")
	if err := ensurePostgres(ctx, o, s); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := ensureRedis(ctx, o); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	if err := Bootstrap(ctx, s.PGAdminURL); err != nil {
		return nil, fmt.Errorf("bootstrap roles: %w", err)
	}
	return s, nil
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// pgBinDir finds the newest PostgreSQL server binaries, installing them when allowed.
func pgBinDir(ctx context.Context, o Options) (string, error) {
	find := func() string {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
		for _, d := range dirs {
			if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
				return d
			}
		}
		return ""
	}
	if d := find(); d != "" {
		return d, nil
	}
	if err := aptInstall(ctx, o, "postgresql"); err != nil {
		return "", err
	}
	if d := find(); d != "" {
		return d, nil
	}
	return "", errors.New("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func aptInstall(ctx context.Context, o Options, pkgs ...string) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s not installed: install it (sudo apt-get install %s) or set DATABASE_URL/REDIS_URL",
			strings.Join(pkgs, ", "), strings.Join(pkgs, " "))
	}
	o.Log.Info("installing Debian packages", "packages", pkgs)
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update"}, append([]string{"install", "-y", "--no-install-recommends"}, pkgs...)} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s: %v\n%s", args[0], err, tail(out))
		}
	}
	return nil
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// asPostgresUser runs a PostgreSQL binary; as root it drops to the postgres system user
// (PostgreSQL refuses to run as root).
func asPostgresUser(ctx context.Context, name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.CommandContext(ctx, name, args...)
}

func ensurePostgres(ctx context.Context, o Options, s *Servers) error {
	dir := filepath.Join(o.Dir, "pg")
	if pingPG(ctx, s.PGAdminURL) == nil {
		return checkOwnCluster(ctx, s.PGAdminURL, dir)
	}
	bin, err := pgBinDir(ctx, o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("running as root needs the postgres system user (Debian's postgresql package creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := chownR(dir, uid, gid); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		o.Log.Info("initialising a private PostgreSQL cluster", "dir", dir)
		cmd := asPostgresUser(ctx, filepath.Join(bin, "initdb"), "-D", dir, "-U", "postgres",
			"--auth=trust", "--locale=C.UTF-8", "--encoding=UTF8")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("initdb: %v\n%s", err, tail(out))
		}
	}
	o.Log.Info("starting private PostgreSQL", "port", s.PGPort)
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB",
		s.PGPort, dir)
	cmd := asPostgresUser(ctx, filepath.Join(bin, "pg_ctl"), "-D", dir, "-l", filepath.Join(dir, "server.log"),
		"-o", opts, "-w", "-t", "60", "start")
	if out, err := cmd.CombinedOutput(); err != nil {
		// A stale postmaster.pid after a crash: pg_ctl reports it; surface the log.
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, tail(out), tail(log))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := pingPG(ctx, s.PGAdminURL); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkOwnCluster refuses a server on our port that serves another data directory: using it
// would put the project's databases into somebody else's cluster.
func checkOwnCluster(ctx context.Context, url, dir string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	var dataDir string
	if err := c.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir); err != nil {
		return err
	}
	if filepath.Clean(dataDir) != filepath.Clean(dir) {
		return fmt.Errorf("port %d is taken by another PostgreSQL (data directory %s): set CARTA_PG_PORT to a free port",
			c.Config().Port, dataDir)
	}
	return nil
}

func chownR(dir string, uid, gid int) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func pingPG(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return c.Ping(ctx)
}

func ensureRedis(ctx context.Context, o Options) error {
	addr := fmt.Sprintf("127.0.0.1:%d", o.RedisPort)
	if pingRedis(addr) == nil {
		return nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if err := aptInstall(ctx, o, "redis-server"); err != nil {
			return err
		}
		if bin, err = exec.LookPath("redis-server"); err != nil {
			return err
		}
	}
	dir := filepath.Join(o.Dir, "redis")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	o.Log.Info("starting private Redis", "port", o.RedisPort)
	cmd := exec.CommandContext(ctx, bin, "--port", strconv.Itoa(o.RedisPort), "--bind", "127.0.0.1",
		"--daemonize", "yes", "--pidfile", filepath.Join(dir, "redis.pid"), "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"), "--save", "", "--appendonly", "no",
		"--databases", "1024")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("redis-server: %v\n%s", err, tail(out))
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if err := pingRedis(addr); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
