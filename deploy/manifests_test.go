package deploy

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// The names the manifests agree on. A rename must happen in the manifests, docs/DEPLOY.md
// and here together.
const (
	configMapName     = "carta-config"
	appSecretName     = "carta-secrets"
	migrateSecretName = "carta-migrate"
	healthzPath       = "/healthz"
	readyzPath        = "/readyz"
)

// Environment keys that hold credentials: they belong in a Secret, never in the ConfigMap.
var secretKeys = []string{"DATABASE_URL", "MIGRATE_DATABASE_URL", "REDIS_URL", "SMTP_USERNAME", "SMTP_PASSWORD"}

// kustomizations are every directory that must render and hold the invariants.
var kustomizations = []string{"k8s/base", "k8s/overlays/production"}

func TestManifests(t *testing.T) {
	t.Parallel()
	for _, dir := range kustomizations {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			objs := render(t, dir)
			for _, p := range checkManifests(objs) {
				t.Error(p)
			}
			checkImagesApplied(t, dir, objs)
		})
	}
}

// checkImagesApplied catches an `images` entry that matches no container (after a base has
// renamed the image, an overlay must use the new name): its tag would silently not apply.
func checkImagesApplied(t *testing.T, dir string, objs []object) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	require.NoError(t, err)
	var k struct {
		Images []struct {
			Name    string `yaml:"name"`
			NewName string `yaml:"newName"`
			NewTag  string `yaml:"newTag"`
			Digest  string `yaml:"digest"`
		} `yaml:"images"`
	}
	require.NoError(t, yaml.Unmarshal(b, &k))
	var images []string
	for _, o := range objs {
		var v struct {
			Spec struct {
				Template podTemplate `json:"template"`
			} `json:"spec"`
		}
		require.NoError(t, o.decode(&v))
		for _, c := range v.Spec.Template.Spec.Containers {
			images = append(images, c.Image)
		}
	}
	for _, img := range k.Images {
		name := img.NewName
		if name == "" {
			name = img.Name
		}
		want := name
		switch {
		case img.Digest != "":
			want += "@" + img.Digest
		case img.NewTag != "":
			want += ":" + img.NewTag
		}
		require.Contains(t, images, want, "%s: images entry %q applies to no container", dir, img.Name)
	}
}

// TestManifestChecksFire breaks each invariant in a rendered copy and expects the check for it
// to complain, so that a check that can no longer fail does not pass silently.
func TestManifestChecksFire(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		want   string
		breaks func(t *testing.T, objs []object) []object
	}{
		{"liveness path", "liveness probe", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.livenessProbe.httpGet.path", "/")
			return o
		}},
		{"no readiness", "readiness probe", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.containers.0.readinessProbe")
			return o
		}},
		{"probe port", "port 9090", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.readinessProbe.httpGet.port", 9090)
			return o
		}},
		{"no memory limit", "limits.memory", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.containers.0.resources.limits.memory")
			return o
		}},
		{"no cpu request", "requests.cpu", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.containers.0.resources.requests.cpu")
			return o
		}},
		{"request over limit", "exceeds its limit", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.resources.requests.memory", "4Gi")
			return o
		}},
		{"root allowed", "runAsNonRoot", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.securityContext.runAsNonRoot", false)
			return o
		}},
		{"writable root", "readOnlyRootFilesystem", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem")
			return o
		}},
		{"capabilities kept", "drop ALL", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.containers.0.securityContext.capabilities")
			return o
		}},
		{"no seccomp", "seccomp", func(t *testing.T, o []object) []object {
			del(t, o, "Deployment", "spec.template.spec.securityContext.seccompProfile")
			return o
		}},
		{"latest tag", "tag", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.image", "ghcr.io/cartasociale/carta:latest")
			return o
		}},
		{"no tag", "tag", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.containers.0.image", "ghcr.io/cartasociale/carta")
			return o
		}},
		{"job image differs", "same image", func(t *testing.T, o []object) []object {
			set(t, o, "Job", "spec.template.spec.containers.0.image", "ghcr.io/cartasociale/carta:0.0.1")
			return o
		}},
		{"service selector", "Service", func(t *testing.T, o []object) []object {
			set(t, o, "Service", "spec.selector.app.kubernetes.io/component", "api")
			return o
		}},
		{"service selects job", "migration", func(t *testing.T, o []object) []object {
			del(t, o, "Service", "spec.selector.app.kubernetes.io/component")
			return o
		}},
		{"service port", "targetPort", func(t *testing.T, o []object) []object {
			set(t, o, "Service", "spec.ports.0.targetPort", "web")
			return o
		}},
		{"pdb selector", "PodDisruptionBudget", func(t *testing.T, o []object) []object {
			set(t, o, "PodDisruptionBudget", "spec.selector.matchLabels.app.kubernetes.io/name", "other")
			return o
		}},
		{"pdb min", "minAvailable", func(t *testing.T, o []object) []object {
			del(t, o, "PodDisruptionBudget", "spec.minAvailable")
			return o
		}},
		{"hpa target", "HorizontalPodAutoscaler", func(t *testing.T, o []object) []object {
			set(t, o, "HorizontalPodAutoscaler", "spec.scaleTargetRef.name", "other")
			return o
		}},
		{"hpa min blocks drains", "minReplicas", func(t *testing.T, o []object) []object {
			set(t, o, "HorizontalPodAutoscaler", "spec.minReplicas", 1)
			return o
		}},
		{"hpa without cpu", "cpu", func(t *testing.T, o []object) []object {
			set(t, o, "HorizontalPodAutoscaler", "spec.metrics", []any{})
			return o
		}},
		{"spread selector", "topology spread", func(t *testing.T, o []object) []object {
			set(t, o, "Deployment", "spec.template.spec.topologySpreadConstraints.0.labelSelector.matchLabels.app.kubernetes.io/component", "x")
			return o
		}},
		{"ingress wildcard", "wildcard", func(t *testing.T, o []object) []object {
			set(t, o, "Ingress", "spec.rules.1.host", "www.example.org")
			return o
		}},
		{"ingress tls", "TLS", func(t *testing.T, o []object) []object {
			del(t, o, "Ingress", "spec.tls")
			return o
		}},
		{"ingress backend", "backend", func(t *testing.T, o []object) []object {
			set(t, o, "Ingress", "spec.rules.0.http.paths.0.backend.service.name", "nginx")
			return o
		}},
		{"job command", "migrate", func(t *testing.T, o []object) []object {
			set(t, o, "Job", "spec.template.spec.containers.0.args", []any{"serve"})
			return o
		}},
		{"job restart", "restartPolicy", func(t *testing.T, o []object) []object {
			set(t, o, "Job", "spec.template.spec.restartPolicy", "Always")
			return o
		}},
		{"job backoff", "backoffLimit", func(t *testing.T, o []object) []object {
			del(t, o, "Job", "spec.backoffLimit")
			return o
		}},
		{"job insecure", "readOnlyRootFilesystem", func(t *testing.T, o []object) []object {
			set(t, o, "Job", "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem", false)
			return o
		}},
		{"owner secret in server", "owner", func(t *testing.T, o []object) []object {
			add(t, o, "Deployment", "spec.template.spec.containers.0.envFrom",
				map[string]any{"secretRef": map[string]any{"name": migrateSecretName}})
			return o
		}},
		{"secret in configmap", "credential", func(t *testing.T, o []object) []object {
			set(t, o, "ConfigMap", "data.DATABASE_URL", "postgres://carta_app:pw@db/carta")
			return o
		}},
		{"listen port", "LISTEN_ADDR", func(t *testing.T, o []object) []object {
			set(t, o, "ConfigMap", "data.LISTEN_ADDR", ":9000")
			return o
		}},
		{"trusted proxies", "TRUSTED_PROXIES", func(t *testing.T, o []object) []object {
			set(t, o, "ConfigMap", "data.TRUSTED_PROXIES", "ingress")
			return o
		}},
		{"secret rendered", "Secret", func(t *testing.T, o []object) []object {
			return append(o, object{"apiVersion": "v1", "kind": "Secret",
				"metadata":   map[string]any{"name": appSecretName},
				"stringData": map[string]any{"DATABASE_URL": "postgres://x"}})
		}},
	}
	for _, dir := range kustomizations {
		for _, c := range cases {
			t.Run(dir+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				objs := render(t, dir)
				require.Empty(t, checkManifests(objs), "the unbroken manifests must pass")
				problems := checkManifests(c.breaks(t, objs))
				require.NotEmpty(t, problems, "breaking %s went unnoticed", c.name)
				require.Contains(t, strings.Join(problems, "\n"), c.want)
			})
		}
	}
}

// object is one rendered Kubernetes object, as generic maps.
type object map[string]any

func (o object) kind() string { s, _ := o["kind"].(string); return s }
func (o object) name() string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// decode converts the object to a typed view through JSON, the way the API server reads it.
func (o object) decode(v any) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func render(t *testing.T, dir string) []object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	require.NoError(t, err, "kustomize build %s", dir)
	var objs []object
	for _, r := range m.Resources() {
		mp, err := r.Map()
		require.NoError(t, err)
		objs = append(objs, object(mp))
	}
	require.NotEmpty(t, objs)
	return objs
}

// Typed views of the fields the checks read; unknown fields are ignored.
type (
	labelSelector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	}
	securityContext struct {
		RunAsNonRoot             *bool `json:"runAsNonRoot"`
		ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
		Privileged               *bool `json:"privileged"`
		Capabilities             *struct {
			Drop []string `json:"drop"`
			Add  []string `json:"add"`
		} `json:"capabilities"`
		SeccompProfile *struct {
			Type string `json:"type"`
		} `json:"seccompProfile"`
	}
	probe struct {
		HTTPGet *struct {
			Path string `json:"path"`
			Port any    `json:"port"`
		} `json:"httpGet"`
	}
	envFrom struct {
		ConfigMapRef *struct {
			Name string `json:"name"`
		} `json:"configMapRef"`
		SecretRef *struct {
			Name string `json:"name"`
		} `json:"secretRef"`
	}
	container struct {
		Name    string   `json:"name"`
		Image   string   `json:"image"`
		Command []string `json:"command"`
		Args    []string `json:"args"`
		Ports   []struct {
			Name          string `json:"name"`
			ContainerPort int    `json:"containerPort"`
		} `json:"ports"`
		EnvFrom        []envFrom                      `json:"envFrom"`
		Env            []struct{ Name, Value string } `json:"env"`
		LivenessProbe  *probe                         `json:"livenessProbe"`
		ReadinessProbe *probe                         `json:"readinessProbe"`
		StartupProbe   *probe                         `json:"startupProbe"`
		Resources      struct {
			Requests map[string]any `json:"requests"`
			Limits   map[string]any `json:"limits"`
		} `json:"resources"`
		SecurityContext *securityContext `json:"securityContext"`
	}
	podTemplate struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			RestartPolicy             string           `json:"restartPolicy"`
			ServiceAccountName        string           `json:"serviceAccountName"`
			SecurityContext           *securityContext `json:"securityContext"`
			InitContainers            []container      `json:"initContainers"`
			Containers                []container      `json:"containers"`
			TopologySpreadConstraints []struct {
				TopologyKey   string         `json:"topologyKey"`
				LabelSelector *labelSelector `json:"labelSelector"`
			} `json:"topologySpreadConstraints"`
		} `json:"spec"`
	}
	deployment struct {
		Spec struct {
			Replicas *int          `json:"replicas"`
			Selector labelSelector `json:"selector"`
			Template podTemplate   `json:"template"`
		} `json:"spec"`
	}
	job struct {
		Spec struct {
			BackoffLimit *int        `json:"backoffLimit"`
			Template     podTemplate `json:"template"`
		} `json:"spec"`
	}
	service struct {
		Spec struct {
			Selector map[string]string `json:"selector"`
			Ports    []struct {
				Name       string `json:"name"`
				Port       int    `json:"port"`
				TargetPort any    `json:"targetPort"`
			} `json:"ports"`
		} `json:"spec"`
	}
	pdb struct {
		Spec struct {
			MinAvailable   any           `json:"minAvailable"`
			MaxUnavailable any           `json:"maxUnavailable"`
			Selector       labelSelector `json:"selector"`
		} `json:"spec"`
	}
	hpa struct {
		APIVersion string `json:"apiVersion"`
		Spec       struct {
			ScaleTargetRef struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Name       string `json:"name"`
			} `json:"scaleTargetRef"`
			MinReplicas *int `json:"minReplicas"`
			MaxReplicas int  `json:"maxReplicas"`
			Metrics     []struct {
				Type     string `json:"type"`
				Resource *struct {
					Name string `json:"name"`
				} `json:"resource"`
			} `json:"metrics"`
		} `json:"spec"`
	}
	ingress struct {
		Spec struct {
			TLS []struct {
				Hosts      []string `json:"hosts"`
				SecretName string   `json:"secretName"`
			} `json:"tls"`
			Rules []struct {
				Host string `json:"host"`
				HTTP *struct {
					Paths []struct {
						Backend struct {
							Service *struct {
								Name string `json:"name"`
								Port struct {
									Name   string `json:"name"`
									Number int    `json:"number"`
								} `json:"port"`
							} `json:"service"`
						} `json:"backend"`
					} `json:"paths"`
				} `json:"http"`
			} `json:"rules"`
		} `json:"spec"`
	}
	configMap struct {
		Data map[string]string `json:"data"`
	}
	secret struct {
		Data       map[string]any `json:"data"`
		StringData map[string]any `json:"stringData"`
	}
)

// checkManifests returns every broken invariant of one rendered kustomization, as messages
// naming the object and what is wrong. Empty means all hold.
func checkManifests(objs []object) []string {
	var p []string
	fail := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }

	byKind := map[string][]object{}
	for _, o := range objs {
		byKind[o.kind()] = append(byKind[o.kind()], o)
	}
	one := func(kind string, v any) (string, bool) {
		if len(byKind[kind]) != 1 {
			fail("want exactly one %s, rendered %d", kind, len(byKind[kind]))
			return "", false
		}
		o := byKind[kind][0]
		if err := o.decode(v); err != nil {
			fail("%s %s: %v", kind, o.name(), err)
			return "", false
		}
		return o.name(), true
	}

	// Settings: the listen port and base domain drive the probe and ingress checks below.
	var cm configMap
	cmName, ok := one("ConfigMap", &cm)
	listenPort := 0
	baseDomain := ""
	if ok {
		if !strings.HasPrefix(cmName, configMapName) {
			fail("ConfigMap %s: want the generated %s", cmName, configMapName)
		}
		for _, k := range secretKeys {
			if _, found := cm.Data[k]; found {
				fail("ConfigMap %s holds %s: a credential belongs in Secret %s", cmName, k, appSecretName)
			}
		}
		for _, k := range []string{"CARTA_ENV", "BASE_DOMAIN", "LISTEN_ADDR", "SMTP_HOST"} {
			if cm.Data[k] == "" {
				fail("ConfigMap %s: %s is empty", cmName, k)
			}
		}
		if cm.Data["CARTA_ENV"] != "production" {
			fail("ConfigMap %s: CARTA_ENV is %q, want production", cmName, cm.Data["CARTA_ENV"])
		}
		if _, port, err := net.SplitHostPort(cm.Data["LISTEN_ADDR"]); err != nil {
			fail("ConfigMap %s: LISTEN_ADDR %q: %v", cmName, cm.Data["LISTEN_ADDR"], err)
		} else {
			listenPort, _ = strconv.Atoi(port)
		}
		baseDomain = cm.Data["BASE_DOMAIN"]
		for _, tp := range strings.Split(cm.Data["TRUSTED_PROXIES"], ",") {
			if tp = strings.TrimSpace(tp); tp == "" {
				continue
			}
			if _, _, err := net.ParseCIDR(tp); err != nil && net.ParseIP(tp) == nil {
				fail("ConfigMap %s: TRUSTED_PROXIES entry %q is neither an IP nor a CIDR", cmName, tp)
			}
		}
	}

	for _, o := range byKind["Secret"] {
		var s secret
		if err := o.decode(&s); err == nil && (len(s.Data) > 0 || len(s.StringData) > 0) {
			fail("Secret %s is rendered with values: secrets are created outside the repository", o.name())
		}
	}

	var dep deployment
	depName, depOK := one("Deployment", &dep)
	podLabels := dep.Spec.Template.Metadata.Labels
	var jb job
	jobName, jobOK := one("Job", &jb)
	jobLabels := jb.Spec.Template.Metadata.Labels

	if depOK {
		if len(dep.Spec.Selector.MatchLabels) == 0 || !subset(dep.Spec.Selector.MatchLabels, podLabels) {
			fail("Deployment %s: selector %v does not match its pod labels %v", depName, dep.Spec.Selector.MatchLabels, podLabels)
		}
		checkPod(fail, "Deployment "+depName, dep.Spec.Template)
		for _, c := range dep.Spec.Template.Spec.Containers {
			where := fmt.Sprintf("Deployment %s container %s", depName, c.Name)
			checkProbe(fail, where, "liveness probe", c.LivenessProbe, healthzPath, c, listenPort)
			checkProbe(fail, where, "readiness probe", c.ReadinessProbe, readyzPath, c, listenPort)
			checkProbe(fail, where, "startup probe", c.StartupProbe, healthzPath, c, listenPort)
			if !slices.Contains(append(c.Command, c.Args...), "serve") {
				fail("%s: does not run `carta serve` (command %v, args %v)", where, c.Command, c.Args)
			}
			for _, ef := range c.EnvFrom {
				if ef.SecretRef != nil && ef.SecretRef.Name == migrateSecretName {
					fail("%s: receives Secret %s, the owner role's credentials; only the migration Job may", where, migrateSecretName)
				}
			}
			if !refsSecret(c, appSecretName) {
				fail("%s: does not read Secret %s (DATABASE_URL, REDIS_URL, SMTP credentials)", where, appSecretName)
			}
			if cmName != "" && !refsConfigMap(c, cmName) {
				fail("%s: does not read ConfigMap %s", where, cmName)
			}
		}
		for i, tsc := range dep.Spec.Template.Spec.TopologySpreadConstraints {
			if tsc.LabelSelector == nil || len(tsc.LabelSelector.MatchLabels) == 0 || !subset(tsc.LabelSelector.MatchLabels, podLabels) {
				fail("Deployment %s: topology spread constraint %d (%s) does not select its own pods", depName, i, tsc.TopologyKey)
			}
		}
		if len(dep.Spec.Template.Spec.TopologySpreadConstraints) == 0 {
			fail("Deployment %s: no topology spread constraints", depName)
		}
	}

	if jobOK {
		checkPod(fail, "Job "+jobName, jb.Spec.Template)
		if rp := jb.Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
			fail("Job %s: restartPolicy %q, want Never or OnFailure", jobName, rp)
		}
		if jb.Spec.BackoffLimit == nil {
			fail("Job %s: no backoffLimit: a failing migration would be retried 6 times by default, unnoticed", jobName)
		}
		for _, c := range jb.Spec.Template.Spec.Containers {
			if !slices.Contains(append(c.Command, c.Args...), "migrate") {
				fail("Job %s container %s: does not run `carta migrate` (command %v, args %v)", jobName, c.Name, c.Command, c.Args)
			}
			if !refsSecret(c, migrateSecretName) {
				fail("Job %s container %s: does not read Secret %s (MIGRATE_DATABASE_URL)", jobName, c.Name, migrateSecretName)
			}
			if depOK && len(dep.Spec.Template.Spec.Containers) > 0 && c.Image != dep.Spec.Template.Spec.Containers[0].Image {
				fail("Job %s: image %s is not the same image as the Deployment's %s: migrations must match the code",
					jobName, c.Image, dep.Spec.Template.Spec.Containers[0].Image)
			}
		}
		// The first apply of a rollout selects app.kubernetes.io/component!=web (see
		// migrate-job.yaml): what the Job needs must not carry component=web.
		for _, o := range objs {
			if o.kind() == "ServiceAccount" || o.kind() == "ConfigMap" {
				var v struct {
					Metadata struct {
						Labels map[string]string `json:"labels"`
					} `json:"metadata"`
				}
				_ = o.decode(&v)
				if v.Metadata.Labels["app.kubernetes.io/component"] == "web" {
					fail("%s %s is labelled component=web: the migration step would not apply it", o.kind(), o.name())
				}
			}
		}
	}

	var svc service
	if svcName, ok := one("Service", &svc); ok && depOK {
		if len(svc.Spec.Selector) == 0 || !subset(svc.Spec.Selector, podLabels) {
			fail("Service %s: selector %v does not match the Deployment's pod labels %v", svcName, svc.Spec.Selector, podLabels)
		}
		if jobOK && subset(svc.Spec.Selector, jobLabels) {
			fail("Service %s: selector %v also matches the migration Job's pods", svcName, svc.Spec.Selector)
		}
		for _, sp := range svc.Spec.Ports {
			if resolvePort(sp.TargetPort, dep.Spec.Template.Spec.Containers) == 0 {
				fail("Service %s port %s: targetPort %v is no port of the Deployment's containers", svcName, sp.Name, sp.TargetPort)
			}
		}

		var ing ingress
		if ingName, ok := one("Ingress", &ing); ok {
			checkIngress(fail, ingName, ing, baseDomain, svcName, svc)
		}
	}

	var pb pdb
	if pdbName, ok := one("PodDisruptionBudget", &pb); ok && depOK {
		if len(pb.Spec.Selector.MatchLabels) == 0 || !subset(pb.Spec.Selector.MatchLabels, podLabels) {
			fail("PodDisruptionBudget %s: selector %v does not match the Deployment's pod labels %v", pdbName, pb.Spec.Selector.MatchLabels, podLabels)
		}
		if jobOK && subset(pb.Spec.Selector.MatchLabels, jobLabels) {
			fail("PodDisruptionBudget %s: selector also matches the migration Job's pods", pdbName)
		}
		if fmt.Sprint(pb.Spec.MinAvailable) != "1" {
			fail("PodDisruptionBudget %s: minAvailable is %v, want 1", pdbName, pb.Spec.MinAvailable)
		}
	}

	var h hpa
	if hpaName, ok := one("HorizontalPodAutoscaler", &h); ok && depOK {
		ref := h.Spec.ScaleTargetRef
		if byKind["HorizontalPodAutoscaler"][0]["apiVersion"] != "autoscaling/v2" {
			fail("HorizontalPodAutoscaler %s: apiVersion %v, want autoscaling/v2", hpaName, byKind["HorizontalPodAutoscaler"][0]["apiVersion"])
		}
		if ref.Kind != "Deployment" || ref.Name != depName || ref.APIVersion != "apps/v1" {
			fail("HorizontalPodAutoscaler %s: targets %s %s (%s), want Deployment %s (apps/v1)", hpaName, ref.Kind, ref.Name, ref.APIVersion, depName)
		}
		// A single replica under minAvailable 1 can never be evicted: node drains hang.
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
			fail("HorizontalPodAutoscaler %s: minReplicas must be at least 2 (PodDisruptionBudget minAvailable 1)", hpaName)
		} else if h.Spec.MaxReplicas < *h.Spec.MinReplicas {
			fail("HorizontalPodAutoscaler %s: maxReplicas %d below minReplicas %d", hpaName, h.Spec.MaxReplicas, *h.Spec.MinReplicas)
		}
		cpu := false
		for _, m := range h.Spec.Metrics {
			cpu = cpu || (m.Type == "Resource" && m.Resource != nil && m.Resource.Name == "cpu")
		}
		if !cpu {
			fail("HorizontalPodAutoscaler %s: no cpu Resource metric", hpaName)
		}
		if r := dep.Spec.Replicas; r != nil && h.Spec.MinReplicas != nil && (*r < *h.Spec.MinReplicas || *r > h.Spec.MaxReplicas) {
			fail("Deployment %s: replicas %d outside the autoscaler's %d..%d", depName, *r, *h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
	}

	// Every object carries the common label, so `kubectl get all -l` shows the whole product.
	for _, o := range objs {
		var v struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		_ = o.decode(&v)
		if v.Metadata.Labels["app.kubernetes.io/part-of"] != "carta" {
			fail("%s %s: no label app.kubernetes.io/part-of=carta", o.kind(), o.name())
		}
	}
	return p
}

// checkPod holds what every pod running the product's image must have: hardening, resources
// and a pinned image.
func checkPod(fail func(string, ...any), where string, pt podTemplate) {
	ps := pt.Spec.SecurityContext
	if len(pt.Spec.Containers) == 0 {
		fail("%s: no containers", where)
	}
	for _, c := range append(slices.Clone(pt.Spec.InitContainers), pt.Spec.Containers...) {
		w := fmt.Sprintf("%s container %s", where, c.Name)
		cs := c.SecurityContext
		if cs == nil {
			cs = &securityContext{}
		}
		nonRoot := (cs.RunAsNonRoot != nil && *cs.RunAsNonRoot) ||
			(cs.RunAsNonRoot == nil && ps != nil && ps.RunAsNonRoot != nil && *ps.RunAsNonRoot)
		if !nonRoot {
			fail("%s: runAsNonRoot is not true", w)
		}
		if cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem {
			fail("%s: readOnlyRootFilesystem is not true", w)
		}
		if cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation {
			fail("%s: allowPrivilegeEscalation is not false", w)
		}
		if cs.Privileged != nil && *cs.Privileged {
			fail("%s: privileged", w)
		}
		if cs.Capabilities == nil || !slices.Contains(cs.Capabilities.Drop, "ALL") || len(cs.Capabilities.Add) > 0 {
			fail("%s: capabilities must drop ALL and add none", w)
		}
		seccomp := cs.SeccompProfile
		if seccomp == nil && ps != nil {
			seccomp = ps.SeccompProfile
		}
		if seccomp == nil || (seccomp.Type != "RuntimeDefault" && seccomp.Type != "Localhost") {
			fail("%s: no seccomp profile (want RuntimeDefault)", w)
		}
		for _, kind := range []string{"requests", "limits"} {
			m := c.Resources.Requests
			if kind == "limits" {
				m = c.Resources.Limits
			}
			for _, res := range []string{"cpu", "memory"} {
				if q := fmt.Sprint(m[res]); m[res] == nil || q == "" {
					fail("%s: no resources.%s.%s", w, kind, res)
				}
			}
		}
		for _, res := range []string{"cpu", "memory"} {
			req, err1 := quantity(c.Resources.Requests[res])
			lim, err2 := quantity(c.Resources.Limits[res])
			if err1 == nil && err2 == nil && req > lim {
				fail("%s: %s request %v exceeds its limit %v", w, res, c.Resources.Requests[res], c.Resources.Limits[res])
			}
		}
		if err := pinnedImage(c.Image); err != nil {
			fail("%s: image %q: %v", w, c.Image, err)
		}
	}
}

func checkProbe(fail func(string, ...any), where, what string, p *probe, path string, c container, listenPort int) {
	if p == nil || p.HTTPGet == nil {
		fail("%s: no %s (HTTP GET %s)", where, what, path)
		return
	}
	if p.HTTPGet.Path != path {
		fail("%s: %s on %q, want %s", where, what, p.HTTPGet.Path, path)
	}
	port := resolvePort(p.HTTPGet.Port, []container{c})
	if port == 0 {
		fail("%s: %s port %v is not a port of the container", where, what, p.HTTPGet.Port)
	} else if listenPort != 0 && port != listenPort {
		fail("%s: %s on port %d, but LISTEN_ADDR listens on %d", where, what, port, listenPort)
	}
}

func checkIngress(fail func(string, ...any), name string, ing ingress, baseDomain, svcName string, svc service) {
	var hosts []string
	for _, r := range ing.Spec.Rules {
		hosts = append(hosts, r.Host)
		if r.HTTP == nil || len(r.HTTP.Paths) == 0 {
			fail("Ingress %s host %s: no paths", name, r.Host)
			continue
		}
		for _, path := range r.HTTP.Paths {
			b := path.Backend.Service
			if b == nil || b.Name != svcName {
				fail("Ingress %s host %s: backend is not Service %s", name, r.Host, svcName)
				continue
			}
			found := false
			for _, sp := range svc.Spec.Ports {
				found = found || (b.Port.Name != "" && b.Port.Name == sp.Name) || (b.Port.Number != 0 && b.Port.Number == sp.Port)
			}
			if !found {
				fail("Ingress %s host %s: backend port %+v is not a port of Service %s", name, r.Host, b.Port, svcName)
			}
		}
	}
	if baseDomain != "" {
		for _, want := range []string{"*." + baseDomain, "admin." + baseDomain} {
			if !slices.Contains(hosts, want) {
				fail("Ingress %s: no rule for %s (BASE_DOMAIN %s; the tenants need the wildcard host) in %v", name, want, baseDomain, hosts)
			}
		}
	}
	if !slices.ContainsFunc(hosts, func(h string) bool { return strings.HasPrefix(h, "*.") }) {
		fail("Ingress %s: no wildcard host", name)
	}
	if len(ing.Spec.TLS) == 0 {
		fail("Ingress %s: no TLS", name)
	}
	for _, h := range hosts {
		covered := false
		for _, tls := range ing.Spec.TLS {
			if tls.SecretName == "" {
				continue
			}
			for _, th := range tls.Hosts {
				covered = covered || th == h || (strings.HasPrefix(th, "*.") && strings.Count(h, ".") == strings.Count(th, ".") &&
					strings.HasSuffix(h, th[1:]))
			}
		}
		if !covered {
			fail("Ingress %s: host %s has no TLS certificate", name, h)
		}
	}
}

// resolvePort turns a probe's or Service's port (number or name) into a container port
// number, or 0 when no container has it.
func resolvePort(port any, cs []container) int {
	for _, c := range cs {
		for _, cp := range c.Ports {
			switch p := port.(type) {
			case string:
				if p == cp.Name {
					return cp.ContainerPort
				}
				if n, err := strconv.Atoi(p); err == nil && n == cp.ContainerPort {
					return n
				}
			case float64:
				if int(p) == cp.ContainerPort {
					return cp.ContainerPort
				}
			}
		}
	}
	return 0
}

func refsSecret(c container, name string) bool {
	return slices.ContainsFunc(c.EnvFrom, func(e envFrom) bool { return e.SecretRef != nil && e.SecretRef.Name == name })
}

func refsConfigMap(c container, name string) bool {
	return slices.ContainsFunc(c.EnvFrom, func(e envFrom) bool { return e.ConfigMapRef != nil && e.ConfigMapRef.Name == name })
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// pinnedImage accepts repo:tag (tag not latest) or repo@sha256:digest.
func pinnedImage(image string) error {
	if image == "" {
		return fmt.Errorf("empty")
	}
	if _, digest, ok := strings.Cut(image, "@"); ok {
		if !strings.HasPrefix(digest, "sha256:") {
			return fmt.Errorf("digest is not sha256")
		}
		return nil
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok || tag == "":
		return fmt.Errorf("no tag: pin a release tag or digest")
	case tag == "latest":
		return fmt.Errorf("tag latest: pin a release tag or digest")
	}
	return nil
}

// quantity parses the Kubernetes quantities used here (250m, 1, 512Mi, 1Gi, 1G) into a
// comparable number: cores for cpu, bytes for memory.
func quantity(v any) (float64, error) {
	s := fmt.Sprint(v)
	if v == nil || s == "" {
		return 0, fmt.Errorf("empty")
	}
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"m", 1e-3}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f * mult, err
}

// Mutation helpers for TestManifestChecksFire: they walk a dotted path through maps and
// lists (a number indexes a list; label keys with dots are matched greedily).

func find(t *testing.T, objs []object, kind string) object {
	t.Helper()
	for _, o := range objs {
		if o.kind() == kind {
			return o
		}
	}
	t.Fatalf("no %s rendered", kind)
	return nil
}

// walk returns the container holding the last path element and that element's key.
func walk(t *testing.T, root any, path string) (any, string) {
	t.Helper()
	parts := strings.Split(path, ".")
	cur := root
	for len(parts) > 1 {
		switch c := cur.(type) {
		case map[string]any:
			// Label keys contain dots: take the longest prefix that is a key.
			matched := false
			for n := len(parts) - 1; n >= 1; n-- {
				key := strings.Join(parts[:n], ".")
				if next, ok := c[key]; ok {
					cur, parts, matched = next, parts[n:], true
					break
				}
			}
			if !matched {
				// The last element may itself contain dots (a label key to set).
				return c, strings.Join(parts, ".")
			}
		case object:
			cur = map[string]any(c)
		case []any:
			i, err := strconv.Atoi(parts[0])
			require.NoError(t, err, "path %s", path)
			require.Less(t, i, len(c), "path %s", path)
			cur, parts = c[i], parts[1:]
		default:
			t.Fatalf("path %s: cannot walk into %T", path, cur)
		}
	}
	return cur, parts[0]
}

func set(t *testing.T, objs []object, kind, path string, v any) {
	t.Helper()
	parent, key := walk(t, map[string]any(find(t, objs, kind)), path)
	switch p := parent.(type) {
	case map[string]any:
		p[key] = v
	case []any:
		i, err := strconv.Atoi(key)
		require.NoError(t, err)
		p[i] = v
	default:
		t.Fatalf("path %s: cannot set in %T", path, parent)
	}
}

func del(t *testing.T, objs []object, kind, path string) {
	t.Helper()
	parent, key := walk(t, map[string]any(find(t, objs, kind)), path)
	p, ok := parent.(map[string]any)
	require.True(t, ok, "path %s", path)
	_, exists := p[key]
	require.True(t, exists, "path %s: nothing to delete", path)
	delete(p, key)
}

func add(t *testing.T, objs []object, kind, path string, v any) {
	t.Helper()
	parent, key := walk(t, map[string]any(find(t, objs, kind)), path)
	p, ok := parent.(map[string]any)
	require.True(t, ok, "path %s", path)
	list, _ := p[key].([]any)
	p[key] = append(list, v)
}
