"""Decode OTLP/HTTP trace exports (hex strings, JSON list on stdin) into a JSON list of spans on stdout.

Runs in the runtime venv, with OpenTelemetry's own protobuf classes."""

import json
import sys

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def main() -> None:
    spans = []
    for export in json.load(sys.stdin):
        request = ExportTraceServiceRequest.FromString(bytes.fromhex(export))
        for resource_spans in request.resource_spans:
            resource = {attr.key: attr.value.string_value for attr in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    spans.append(
                        {
                            "name": span.name,
                            "service": resource.get("service.name"),
                            "trace_id": span.trace_id.hex(),
                            "attributes": {attr.key: str(attr.value) for attr in span.attributes},
                        }
                    )
    json.dump(spans, sys.stdout)


if __name__ == "__main__":
    main()
