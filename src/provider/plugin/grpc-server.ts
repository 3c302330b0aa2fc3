// The gRPC services one provider process serves: tfplugin6.Provider (backed by a ProviderServer)
// and go-plugin's GRPCStdio, GRPCBroker and GRPCController. RPCs not declared here (ephemeral
// resources, functions, MoveResourceState, newer protocol additions) answer UNIMPLEMENTED.
import * as grpc from '@grpc/grpc-js';
import { PROTOCOL_DESCRIPTOR, type NamespaceDescriptor, type ServiceDescriptor } from './protocol.js';
import type { ProviderServer } from './provider-server.js';
import { WireCodec } from './wire-codec.js';

/** What the transport tells its owner about. */
export interface PluginServerHooks {
  /** GRPCController.Shutdown was called (its answer queued, held streams ended). */
  readonly onShutdown: () => void;
  /** A held-open stream (stdio, broker) was cancelled: the Terraform process went away. */
  readonly onClientGone: () => void;
}

export interface Services {
  readonly provider: grpc.ServiceDefinition;
  readonly stdio: grpc.ServiceDefinition;
  readonly broker: grpc.ServiceDefinition;
  readonly controller: grpc.ServiceDefinition;
}

let services: Services | undefined;
/** The four services as grpc-js definitions (built once; also used by test clients). */
export function serviceDefinitions(): Services {
  if (services) return services;
  const codec = new WireCodec(PROTOCOL_DESCRIPTOR);
  services = {
    provider: serviceDefinition(codec, 'tfplugin6.Provider'),
    stdio: serviceDefinition(codec, 'plugin.GRPCStdio'),
    broker: serviceDefinition(codec, 'plugin.GRPCBroker'),
    controller: serviceDefinition(codec, 'plugin.GRPCController'),
  };
  return services;
}

/** A grpc-js service definition for a service declared in PROTOCOL_DESCRIPTOR. */
function serviceDefinition(codec: WireCodec, fullName: string): grpc.ServiceDefinition {
  let node: NamespaceDescriptor | undefined = PROTOCOL_DESCRIPTOR;
  for (const part of fullName.split('.')) node = node?.nested?.[part] as NamespaceDescriptor | undefined;
  const methods = (node as Partial<ServiceDescriptor> | undefined)?.methods;
  if (!methods) throw new Error(`protocol descriptor: no service ${fullName}`);
  const definition: Record<string, grpc.MethodDefinition<Record<string, unknown>, Record<string, unknown>>> = {};
  for (const [name, method] of Object.entries(methods)) {
    const requestType = codec.resolve(method.requestType, fullName);
    const responseType = codec.resolve(method.responseType, fullName);
    definition[name] = {
      path: `/${fullName}/${name}`,
      requestStream: method.requestStream ?? false,
      responseStream: method.responseStream ?? false,
      requestSerialize: (message) => codec.encode(requestType, message),
      requestDeserialize: (bytes) => codec.decode(requestType, bytes),
      responseSerialize: (message) => codec.encode(responseType, message),
      responseDeserialize: (bytes) => codec.decode(responseType, bytes),
      originalName: name,
    };
  }
  return definition;
}

type Handler = (request: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

function unary(handler: Handler): grpc.handleUnaryCall<Record<string, unknown>, Record<string, unknown>> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
      );
  };
}

/** A grpc-js server with every service registered; bind it with bindAsync. */
export function createPluginServer<D>(provider: ProviderServer<D>, hooks: PluginServerHooks): grpc.Server {
  const services = serviceDefinitions();
  const server = new grpc.Server();
  // Streams Terraform holds open for the whole session; ended on Shutdown so the server can close gracefully.
  const held = new Set<{ end(): void }>();
  const hold = (call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>) => {
    held.add(call);
    // Headers now: the client sees the stream established before any data flows.
    call.sendMetadata(new grpc.Metadata());
    call.on('cancelled', () => {
      held.delete(call);
      hooks.onClientGone();
    });
  };
  server.addService(services.provider, {
    GetMetadata: unary(() => provider.getMetadata()),
    GetProviderSchema: unary(() => provider.getProviderSchema()),
    ValidateProviderConfig: unary((r) => provider.validateProviderConfig(r)),
    ValidateResourceConfig: unary((r) => provider.validateResourceConfig(r)),
    ValidateDataResourceConfig: unary((r) => provider.validateDataResourceConfig(r)),
    UpgradeResourceState: unary((r) => provider.upgradeResourceState(r)),
    ConfigureProvider: unary((r) => provider.configureProvider(r)),
    ReadResource: unary((r) => provider.readResource(r)),
    PlanResourceChange: unary((r) => provider.planResourceChange(r)),
    ApplyResourceChange: unary((r) => provider.applyResourceChange(r)),
    ImportResourceState: unary((r) => provider.importResourceState(r)),
    ReadDataSource: unary((r) => provider.readDataSource(r)),
    StopProvider: unary(() => provider.stopProvider()),
  });
  // Stdio: logs go straight to stderr (go-plugin reads it), so the mirror stream only stays open.
  server.addService(services.stdio, {
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => hold(call),
  });
  // Broker: providers open no extra connections; hold the stream and ignore its messages.
  server.addService(services.broker, {
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', () => undefined);
      call.on('end', () => call.end());
      hold(call);
    },
  });
  server.addService(services.controller, {
    Shutdown: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<Record<string, never>>) => {
      callback(null, {});
      for (const call of held) call.end();
      held.clear();
      setImmediate(hooks.onShutdown);
    },
  });
  return server;
}
