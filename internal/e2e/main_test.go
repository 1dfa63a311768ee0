package e2e_test

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/cartasociale/carta/internal/e2e"
)

// One server and one browser serve every test of the package: seeding the demo accounts
// (argon2id for each) and starting Chromium cost seconds. Tests stay independent: each opens
// its pages in its own incognito context, and the one that writes uses a tenant no other
// test reads.
var (
	setupOnce sync.Once
	setupErr  error
	server    *e2e.Server
	browser   *e2e.Browser
	dataDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping the server:", err)
			code = max(code, 1)
		}
	}
	if dataDir != "" {
		_ = os.RemoveAll(dataDir)
	}
	os.Exit(code)
}

// env returns the shared server and browser, starting them on first use.
func env(t *testing.T) (*e2e.Server, *e2e.Browser) {
	t.Helper()
	setupOnce.Do(func() {
		setupErr = fmt.Errorf("setup stopped in an earlier test")
		bin, err := e2e.ChromiumPath()
		if err != nil {
			setupErr = err
			return
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if server, err = e2e.StartServer(t, log); err != nil {
			setupErr = err
			return
		}
		// The profile outlives any single test, so it lives in its own folder, removed by
		// TestMain.
		if dataDir, err = os.MkdirTemp("", "carta-e2e-chromium-"); err != nil {
			setupErr = err
			return
		}
		if browser, err = e2e.LaunchBrowser(bin, dataDir); err != nil {
			setupErr = err
			return
		}
		setupErr = nil
	})
	if setupErr != nil {
		t.Fatalf("e2e setup: %v", setupErr)
	}
	return server, browser
}
