package app

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// metrics are the server's Prometheus series. Route labels use the route pattern, never the
// raw path, so cardinality stays bounded whatever clients request.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "carta_http_requests_total", Help: "HTTP requests by method, route and status.",
	}, []string{"method", "route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "carta_http_request_duration_seconds", Help: "HTTP request duration by method and route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{pool})
	return m
}

// poolCollector exposes the database pool's state.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolTotal    = prometheus.NewDesc("carta_db_pool_connections", "Connections in the pool.", []string{"state"}, nil)
	poolAcquires = prometheus.NewDesc("carta_db_pool_acquire_total", "Connections acquired from the pool.", nil, nil)
	poolWait     = prometheus.NewDesc("carta_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
)

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolTotal
	ch <- poolAcquires
	ch <- poolWait
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// observe records metrics and a structured log line for each request.
func (a *App) observe() fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// Let the error handler write the response now so the status is the real one.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		// Label values are kept by the registry for as long as the series lives, while the
		// request's strings are rewritten by the next request on the connection: the method
		// is one of our constants, the route a copy.
		method := methodLabel(c.Method())
		route := c.Route().Path
		if status == fiber.StatusNotFound && (route == "/" || route == "/*" || route == "") && c.Path() != "/" {
			route = "unmatched"
		} else {
			route = strings.Clone(route)
		}
		d := time.Since(start)
		a.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
		a.metrics.duration.WithLabelValues(method, route).Observe(d.Seconds())
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case c.Path() == "/healthz" || c.Path() == "/readyz" || c.Path() == "/metrics" ||
			len(c.Path()) > 8 && c.Path()[:8] == "/static/":
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("method", c.Method()), slog.String("host", c.Hostname()),
			slog.String("path", c.Path()), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("ip", c.IP()),
			slog.String("request_id", principal.OriginFrom(c.UserContext()).RequestID),
		}
		if t := tenant.FromContext(c.UserContext()); t != nil {
			attrs = append(attrs, slog.String("tenant", t.Slug))
		}
		if s := principal.StaffFrom(c.UserContext()); s != nil {
			attrs = append(attrs, slog.String("user_id", s.UserID.String()))
		}
		a.log.LogAttrs(c.UserContext(), level, "request", attrs...)
		return nil
	}
}

// errTwoHosts answers a request that names its host twice. The server would believe the last
// Host header and a cache or proxy in front of it may believe the first, so the same request
// could be read as addressed to two different comuni (RFC 9112 §3.2: answer 400).
var errTwoHosts = fiber.NewError(fiber.StatusBadRequest, "La richiesta indica più di un host.")

// oneHost refuses requests with more than one Host header.
func oneHost(c *fiber.Ctx) error {
	if hostHeaders(c.Request().Header.RawHeaders()) > 1 {
		c.Set(fiber.HeaderConnection, "close")
		return errTwoHosts
	}
	return c.Next()
}

// hostHeaders counts the Host header lines in a request's raw header block.
func hostHeaders(raw []byte) int {
	n := 0
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		if len(line) > 5 && line[4] == ':' && (line[0]|0x20) == 'h' && (line[1]|0x20) == 'o' &&
			(line[2]|0x20) == 's' && (line[3]|0x20) == 't' {
			n++
		}
	}
	return n
}

// methodLabel maps a request method to a constant label; an unknown method is "other", so
// clients cannot create series at will.
func methodLabel(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodHead:
		return fiber.MethodHead
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodPut:
		return fiber.MethodPut
	case fiber.MethodPatch:
		return fiber.MethodPatch
	case fiber.MethodDelete:
		return fiber.MethodDelete
	case fiber.MethodOptions:
		return fiber.MethodOptions
	case fiber.MethodConnect:
		return fiber.MethodConnect
	case fiber.MethodTrace:
		return fiber.MethodTrace
	}
	return "other"
}

// health is liveness: the process answers.
func (a *App) health(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// ready is readiness: PostgreSQL must answer (503 otherwise); Redis down only degrades the
// service (cache misses, no staff logins), so the replica stays in rotation. While shutting
// down it reports 503 so the load balancer stops sending new requests first.
func (a *App) ready(c *fiber.Ctx) error {
	if a.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "draining"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	out := fiber.Map{"status": "ok", "postgres": "ok", "redis": "ok"}
	code := fiber.StatusOK
	if err := a.pool.Ping(ctx); err != nil {
		out["postgres"], out["status"] = "down", "down"
		code = fiber.StatusServiceUnavailable
		a.log.Warn("readiness: postgres down", "err", err)
	}
	if err := a.redis.Ping(ctx).Err(); err != nil {
		out["redis"] = "down"
		if code == fiber.StatusOK {
			out["status"] = "degraded"
		}
		a.log.Warn("readiness: redis down", "err", err)
	}
	return c.Status(code).JSON(out)
}

// metricsHandler answers only clients that reach the pod directly (Prometheus): requests that
// came through the ingress carry X-Forwarded-For and get a 404, so citizens never see it.
func (a *App) metricsHandler() fiber.Handler {
	h := adaptor.HTTPHandler(promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		if len(c.Get(fiber.HeaderXForwardedFor)) > 0 {
			return fiber.ErrNotFound
		}
		return h(c)
	}
}
