{{/*
Names and labels.
*/}}
{{- define "trail-insight.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trail-insight.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a service's resources: (dict "root" $ "name" "detector") */}}
{{- define "trail-insight.componentName" -}}
{{- printf "%s-%s" (include "trail-insight.fullname" .root | trunc 50 | trimSuffix "-") .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trail-insight.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "trail-insight.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: trail-insight
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "name" "detector") */}}
{{- define "trail-insight.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trail-insight.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "trail-insight.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "trail-insight.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "trail-insight.image" -}}
{{- $image := .Values.image -}}
{{- if $image.tag -}}
{{- printf "%s:%s@%s" $image.repository $image.tag $image.digest -}}
{{- else -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- end -}}
{{- end -}}

{{/*
What each service reads, from its config/env.schema.ts: whether it uses the shared Kafka variables
(kafka.env, all of them: libs/kafka kafkaEnvShape), which of the shared Redis variables (redis.env,
redis.secretEnv) it reads, and whether it consumes a pipeline topic whose partition count is
KAFKA_TOPIC_PARTITIONS (not the detector with services.detector.input raw: it then reads the raw
topic). libs/testing/src/deploy-checks.integration-spec.ts checks every rendered variable against
the service's schema. One key family, one name: REDIS_PREFIX is the prefix of the
detector's keys, which the detector writes and the console reads; INSIGHT_STORE_PREFIX that of the
insight store, which the aggregator writes and the console reads.
*/}}
{{- define "trail-insight.serviceTraits" -}}
ingest:
  kafka: true
  redis: []
  pipelineConsumer: false
detector:
  kafka: true
  redis: [REDIS_URL, REDIS_CLUSTER_NODES, REDIS_PASSWORD, REDIS_PREFIX]
  pipelineConsumer: true
aggregator:
  kafka: true
  redis: [REDIS_URL, REDIS_CLUSTER_NODES, REDIS_PASSWORD, INSIGHT_STORE_PREFIX]
  pipelineConsumer: true
sink-sls:
  kafka: true
  redis: []
  pipelineConsumer: true
sink-oss:
  kafka: true
  redis: []
  pipelineConsumer: true
console:
  kafka: false
  redis: [REDIS_URL, REDIS_CLUSTER_NODES, REDIS_PASSWORD, REDIS_PREFIX, INSIGHT_STORE_PREFIX]
  pipelineConsumer: false
{{- end -}}

{{/* Variables that may only come from a Secret (secretEnv), never from a plain value. */}}
{{- define "trail-insight.secretOnlyVariables" -}}
- KAFKA_SASL_USERNAME
- KAFKA_SASL_PASSWORD
- SLS_ACCESS_KEY_ID
- SLS_ACCESS_KEY_SECRET
- OSS_ACCESS_KEY_ID
- OSS_ACCESS_KEY_SECRET
- REDIS_PASSWORD
{{- end -}}

{{/*
Variables the chart sets itself, each with where its value comes from; values may not set them.
*/}}
{{- define "trail-insight.chartOwnedVariables" -}}
HTTP_PORT: from http.port
HTTP_HOST: left at the services' default, every interface, for the probes and Services
DETECTOR_INPUT: from services.detector.input
DETECTOR_RAW_INPUT_TOPIC: from services.ingest.env.INGEST_INPUT_TOPIC, with services.detector.input raw
{{- end -}}

{{/*
What the detector consumes, services.detector.input (DETECTOR_INPUT): "normalized" (normalized-events,
written by ingest) or "raw" (the raw topic ingest would read, ingest folded into the detector: the
chart then renders nothing of ingest). checks.yaml rejects any other value.
*/}}
{{- define "trail-insight.detectorInput" -}}
{{- toString (.Values.services.detector.input | default "normalized") -}}
{{- end -}}

{{/*
"true" when a service is rendered, else "": services.<name>.enabled, except that ingest is never
rendered with services.detector.input raw. (dict "root" $ "name" "ingest")
*/}}
{{- define "trail-insight.serviceEnabled" -}}
{{- $service := index .root.Values.services .name -}}
{{- $folded := and (eq .name "ingest") (eq (include "trail-insight.detectorInput" .root) "raw") -}}
{{- if and $service.enabled (not $folded) -}}true{{- end -}}
{{- end -}}

{{/*
The merged plain and secret variables of one service, as YAML {plain: {NAME: value}, secret: {NAME: ref}}.
Later groups win: env < kafka.env < redis.env < services.<name>.env. Empty values are dropped
(the service's default applies). (dict "root" $ "name" "detector")
*/}}
{{- define "trail-insight.serviceEnv" -}}
{{- $root := .root -}}
{{- $traits := index (include "trail-insight.serviceTraits" $root | fromYaml) .name -}}
{{- $service := index $root.Values.services .name -}}
{{- $plainGroups := list $root.Values.env -}}
{{- $secretGroups := list $root.Values.secretEnv -}}
{{- if $traits.kafka -}}
{{- $plainGroups = append $plainGroups $root.Values.kafka.env -}}
{{- $secretGroups = append $secretGroups $root.Values.kafka.secretEnv -}}
{{- end -}}
{{- $redisPlain := dict -}}
{{- $redisSecret := dict -}}
{{- range $key := $traits.redis -}}
{{- if hasKey $root.Values.redis.env $key }}{{ $_ := set $redisPlain $key (index $root.Values.redis.env $key) }}{{ end -}}
{{- if hasKey $root.Values.redis.secretEnv $key }}{{ $_ := set $redisSecret $key (index $root.Values.redis.secretEnv $key) }}{{ end -}}
{{- end -}}
{{- /* redis.env.STATE_PREFIX: deprecated name of REDIS_PREFIX (one release), used when that is empty */ -}}
{{- $legacyPrefix := include "trail-insight.legacyRedisPrefix" $root -}}
{{- if and (has "REDIS_PREFIX" $traits.redis) $legacyPrefix (eq (toString (index $redisPlain "REDIS_PREFIX" | default "")) "") -}}
{{- $_ := set $redisPlain "REDIS_PREFIX" $legacyPrefix -}}
{{- end -}}
{{- $plainGroups = append $plainGroups $redisPlain -}}
{{- $secretGroups = append $secretGroups $redisSecret -}}
{{- $plainGroups = append $plainGroups ($service.env | default dict) -}}
{{- $secretGroups = append $secretGroups ($service.secretEnv | default dict) -}}
{{- /* the detector's input, set by the chart (chartOwnedVariables): last, so nothing overrides it */ -}}
{{- if eq .name "detector" -}}
{{- $input := include "trail-insight.detectorInput" $root -}}
{{- $owned := dict "DETECTOR_INPUT" $input -}}
{{- if eq $input "raw" -}}
{{- /* the topic ingest would read: INGEST_INPUT_TOPIC as ingest gets it ("" = both defaults, actiontrail-events) */ -}}
{{- $ingest := (include "trail-insight.serviceEnv" (dict "root" $root "name" "ingest") | fromYaml).plain -}}
{{- $_ := set $owned "DETECTOR_RAW_INPUT_TOPIC" (index $ingest "INGEST_INPUT_TOPIC" | default "") -}}
{{- end -}}
{{- $plainGroups = append $plainGroups $owned -}}
{{- end -}}
{{- $plain := dict -}}
{{- range $group := $plainGroups -}}
{{- range $key, $value := $group -}}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") -}}
{{- $_ := set $plain $key $value -}}
{{- else -}}
{{- $_ := unset $plain $key -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $secret := dict -}}
{{- range $group := $secretGroups -}}
{{- range $key, $ref := $group -}}
{{- $_ := set $secret $key $ref -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "plain" $plain "secret" $secret) -}}
{{- end -}}

{{/*
redis.env.STATE_PREFIX, the deprecated name of redis.env.REDIS_PREFIX (the console's old name for
the detector's key prefix), or "" when unset. Read for one release: it stands for REDIS_PREFIX when
that is empty, a different REDIS_PREFIX fails checks.yaml, and it is never rendered itself.
*/}}
{{- define "trail-insight.legacyRedisPrefix" -}}
{{- toString (index .Values.redis.env "STATE_PREFIX" | default "") -}}
{{- end -}}

{{/* A value as an env string; whole numbers never in exponent form (YAML numbers arrive as float64). */}}
{{- define "trail-insight.envString" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/* The `env:` list of one service's container. (dict "root" $ "name" "detector") */}}
{{- define "trail-insight.containerEnv" -}}
{{- $env := include "trail-insight.serviceEnv" . | fromYaml -}}
- name: HTTP_PORT
  value: {{ .root.Values.http.port | int | toString | quote }}
{{- range $key, $value := $env.plain }}
{{- if not (hasKey $env.secret $key) }}
- name: {{ $key }}
  value: {{ include "trail-insight.envString" $value | quote }}
{{- end }}
{{- end }}
{{- range $key, $ref := $env.secret }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end }}
{{- end -}}

{{/* A pod setting of one service, falling back to `pod.<key>`: (dict "root" $ "name" "x" "key" "k") */}}
{{- define "trail-insight.podSetting" -}}
{{- $service := index .root.Values.services .name -}}
{{- if hasKey $service .key -}}
{{- toYaml (dict "value" (index $service .key)) -}}
{{- else -}}
{{- toYaml (dict "value" (index .root.Values.pod .key)) -}}
{{- end -}}
{{- end -}}

{{/*
Non-fatal findings, one per line; printed by NOTES.txt and turned into errors by checks.yaml when
checks.warningsAreErrors is true.
*/}}
{{- define "trail-insight.warnings" -}}
{{- $root := . -}}
{{- $traits := include "trail-insight.serviceTraits" . | fromYaml -}}
{{- $partitions := int (default "6" (toString (index .Values.kafka.env "KAFKA_TOPIC_PARTITIONS"))) -}}
{{- $rawDetector := eq (include "trail-insight.detectorInput" .) "raw" -}}
{{- range $name := keys $traits | sortAlpha -}}
{{- $service := index $root.Values.services $name -}}
{{- /* a raw-input detector reads the raw topic, whose partitions the chart does not know (as ingest) */ -}}
{{- $consumer := and (index $traits $name).pipelineConsumer (not (and (eq $name "detector") $rawDetector)) -}}
{{- if and $service.enabled $consumer (gt (int $service.replicas) $partitions) }}
services.{{ $name }}.replicas ({{ $service.replicas }}) > kafka.env.KAFKA_TOPIC_PARTITIONS ({{ $partitions }}): {{ sub (int $service.replicas) $partitions }} replica(s) will get no partition and stay idle.
{{- end -}}
{{- end -}}
{{- if include "trail-insight.legacyRedisPrefix" . }}
redis.env.STATE_PREFIX is deprecated and will be removed in the next release: rename it to redis.env.REDIS_PREFIX (the detector's key prefix, which the detector and the console both read).
{{- end -}}
{{- if and .Values.services.detector.enabled (eq (int .Values.services.detector.replicas) 1) }}
services.detector.replicas is 1: the detector stops during every restart and node drain (its state survives; insights are delayed).
{{- end -}}
{{- end -}}
