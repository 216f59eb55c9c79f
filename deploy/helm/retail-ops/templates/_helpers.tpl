{{- define "retail-ops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "retail-ops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "retail-ops.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "retail-ops.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "retail-ops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "retail-ops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: retail-ops
{{- end }}

{{/* Selector labels of one component (api, worker, migrations): pass (dict "ctx" $ "component" "api"). */}}
{{- define "retail-ops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "retail-ops.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "retail-ops.secretName" -}}
{{- if .Values.secrets.create }}
{{- include "retail-ops.fullname" . }}
{{- else }}
{{- required "secrets.existingSecret (a Secret with DATABASE_URL and UNSUBSCRIBE_SECRETS) or secrets.create=true is required" .Values.secrets.existingSecret }}
{{- end }}
{{- end }}

{{- define "retail-ops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "retail-ops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "retail-ops.imageTag" -}}
{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "retail-ops.image" -}}
{{ .Values.image.repository }}:{{ include "retail-ops.imageTag" . }}
{{- end }}

{{/* The environment every container shares: the ConfigMap, the secrets, Temporal's credentials. */}}
{{- define "retail-ops.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "retail-ops.fullname" . }}
env:
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "retail-ops.secretName" . }}
        key: DATABASE_URL
  - name: UNSUBSCRIBE_SECRETS
    valueFrom:
      secretKeyRef:
        name: {{ include "retail-ops.secretName" . }}
        key: UNSUBSCRIBE_SECRETS
  - name: SMTP_PASS
    valueFrom:
      secretKeyRef:
        name: {{ include "retail-ops.secretName" . }}
        key: SMTP_PASS
        optional: true
  {{- with .Values.temporal.apiKey.existingSecret }}
  - name: TEMPORAL_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ . }}
        key: {{ $.Values.temporal.apiKey.key }}
  {{- end }}
  {{- if .Values.temporal.tls.clientCertSecret }}
  - name: TEMPORAL_TLS_CERT_PATH
    value: /etc/retail-ops/temporal-tls/tls.crt
  - name: TEMPORAL_TLS_KEY_PATH
    value: /etc/retail-ops/temporal-tls/tls.key
  {{- end }}
{{- end }}

{{- define "retail-ops.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.tls.clientCertSecret }}
- name: temporal-tls
  mountPath: /etc/retail-ops/temporal-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "retail-ops.volumes" -}}
- name: tmp
  emptyDir: {}
{{- with .Values.temporal.tls.clientCertSecret }}
- name: temporal-tls
  secret:
    secretName: {{ . }}
{{- end }}
{{- end }}
