// Package config reads the product's settings from environment variables, once, at start, and
// validates them with messages that say which variable is wrong and what it should hold.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the product. It is built by Load and passed down; nothing else
// reads the environment.
type Config struct {
	Env        string // "production" or "development"
	ListenAddr string // e.g. ":8080"
	BaseDomain string // tenants live on <slug>.<BaseDomain>
	// PublicScheme and PublicPort build absolute links (e-mails, QR codes): in production
	// "https" and "" (default port); in development "http" and the listen port.
	PublicScheme string
	PublicPort   string

	DatabaseURL        string // runtime role: not owner, not superuser, not BYPASSRLS
	MigrateDatabaseURL string // owner role, for `migrate` only
	RedisURL           string

	TrustedProxies []string // addresses or CIDRs whose X-Forwarded-* headers are believed

	SMTP SMTP

	SessionTTL   time.Duration
	LogFormat    string // json or text
	LogLevel     string // debug, info, warn, error
	ShutdownWait time.Duration
}

// SMTP are the settings of the outgoing mail server. An empty Host in development prints mail
// to the log instead of sending it.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string // "Carta dei Servizi <noreply@example.it>"
	TLS      string // "starttls" (default), "tls" or "none"
}

// IsDev reports whether the product runs in development mode (demo data, mail to the log).
func (c *Config) IsDev() bool { return c.Env == "development" }

// TenantURL is the absolute base URL of a tenant's site.
func (c *Config) TenantURL(slug string) string {
	host := slug + "." + c.BaseDomain
	if c.PublicPort != "" {
		host += ":" + c.PublicPort
	}
	return c.PublicScheme + "://" + host
}

// Load reads the configuration through getenv (os.Getenv in production, a map in tests).
func Load(getenv func(string) string) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	bad := func(k, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{k}, a...)...))
	}

	c := &Config{
		Env:                get("CARTA_ENV", "production"),
		ListenAddr:         get("LISTEN_ADDR", ":8080"),
		BaseDomain:         strings.ToLower(get("BASE_DOMAIN", "")),
		PublicScheme:       get("PUBLIC_SCHEME", ""),
		PublicPort:         get("PUBLIC_PORT", ""),
		DatabaseURL:        get("DATABASE_URL", ""),
		MigrateDatabaseURL: get("MIGRATE_DATABASE_URL", ""),
		RedisURL:           get("REDIS_URL", ""),
		LogFormat:          get("LOG_FORMAT", ""),
		LogLevel:           get("LOG_LEVEL", "info"),
		SMTP: SMTP{
			Host:     get("SMTP_HOST", ""),
			Username: get("SMTP_USERNAME", ""),
			Password: getenv("SMTP_PASSWORD"),
			From:     get("SMTP_FROM", ""),
			TLS:      get("SMTP_TLS", "starttls"),
		},
	}
	if c.Env != "production" && c.Env != "development" {
		bad("CARTA_ENV", "must be production or development, not %q", c.Env)
	}
	if c.PublicScheme == "" {
		c.PublicScheme = "https"
		if c.IsDev() {
			c.PublicScheme = "http"
		}
	}
	if c.PublicScheme != "http" && c.PublicScheme != "https" {
		bad("PUBLIC_SCHEME", "must be http or https")
	}
	if c.LogFormat == "" {
		c.LogFormat = "json"
		if c.IsDev() {
			c.LogFormat = "text"
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "must be json or text")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "must be debug, info, warn or error")
	}
	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil {
		bad("LISTEN_ADDR", "must be host:port or :port (%v)", err)
	} else if c.PublicPort == "" && c.IsDev() {
		c.PublicPort = port
	}
	if c.BaseDomain == "" {
		bad("BASE_DOMAIN", "is required: tenants are served on <slug>.BASE_DOMAIN (e.g. carta.example.it)")
	} else if strings.ContainsAny(c.BaseDomain, ":/ ") || strings.HasPrefix(c.BaseDomain, ".") {
		bad("BASE_DOMAIN", "must be a bare domain name such as carta.example.it, not %q", c.BaseDomain)
	}
	if c.DatabaseURL == "" {
		bad("DATABASE_URL", "is required (postgres://runtime-role@host/db): the runtime role, not the owner")
	} else if _, err := url.Parse(c.DatabaseURL); err != nil {
		bad("DATABASE_URL", "is not a URL: %v", err)
	}
	if c.RedisURL == "" {
		bad("REDIS_URL", "is required (redis://host:6379/0)")
	} else if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL", "must be redis:// or rediss://")
	}
	for _, p := range splitList(getenv("TRUSTED_PROXIES")) {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR", p)
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	var err error
	if c.SMTP.Port, err = strconv.Atoi(get("SMTP_PORT", "587")); err != nil || c.SMTP.Port <= 0 || c.SMTP.Port > 65535 {
		bad("SMTP_PORT", "must be a port number")
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		bad("SMTP_TLS", "must be starttls, tls or none")
	}
	if c.SMTP.Host == "" && !c.IsDev() {
		bad("SMTP_HOST", "is required in production: password resets and invitations are sent by e-mail")
	}
	if c.SMTP.From == "" {
		c.SMTP.From = "Carta dei Servizi <noreply@" + c.BaseDomain + ">"
	}
	if c.SessionTTL, err = time.ParseDuration(get("SESSION_TTL", "8h")); err != nil || c.SessionTTL < time.Minute {
		bad("SESSION_TTL", "must be a duration of at least 1m, such as 8h")
	}
	if c.ShutdownWait, err = time.ParseDuration(get("SHUTDOWN_WAIT", "20s")); err != nil {
		bad("SHUTDOWN_WAIT", "must be a duration such as 20s")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration is not valid:\n  %w", errors.Join(errs...))
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
