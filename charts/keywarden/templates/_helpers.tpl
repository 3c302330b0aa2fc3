{{/* Name of the chart, overridable. */}}
{{- define "keywarden.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release-chart, overridable. */}}
{{- define "keywarden.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "keywarden.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "keywarden.labels" -}}
app.kubernetes.io/name: {{ include "keywarden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of the operator pods. */}}
{{- define "keywarden.operatorSelector" -}}
app.kubernetes.io/name: {{ include "keywarden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Selector labels of the key service pods. */}}
{{- define "keywarden.keyServiceSelector" -}}
app.kubernetes.io/name: {{ include "keywarden.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: key-service
{{- end -}}

{{/* The operator's ServiceAccount name. */}}
{{- define "keywarden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "keywarden.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Key service URL the operator uses. */}}
{{- define "keywarden.keyServiceUrl" -}}
{{- if .Values.operator.keyServiceUrl -}}
{{- .Values.operator.keyServiceUrl -}}
{{- else if .Values.keyService.enabled -}}
{{- printf "https://%s-key-service.%s.svc:%d" (include "keywarden.fullname" .) .Release.Namespace (int .Values.keyService.port) -}}
{{- end -}}
{{- end -}}
