// The RPCs of the four services a provider process serves (tfplugin6.Provider and go-plugin's
// GRPCStdio, GRPCBroker, GRPCController), by HTTP/2 path, with the wire codec of their
// messages. The server (grpc-server.ts) dispatches on this table; serviceDefinitions() gives
// the same methods in @grpc/grpc-js's shape for clients that stand in for Terraform.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { PROTOCOL_DESCRIPTOR, type NamespaceDescriptor, type ServiceDescriptor } from './protocol.js';
import { WireCodec } from './wire-codec.js';

type Message = Record<string, unknown>;

/** One RPC: where it is served and how its messages are encoded. */
export interface Rpc {
  /** `/package.Service/Method`, the HTTP/2 `:path`. */
  readonly path: string;
  /** `package.Service`. */
  readonly service: string;
  readonly name: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  decodeRequest(bytes: Uint8Array): Message;
  encodeResponse(message: Message): Buffer;
  encodeRequest(message: Message): Buffer;
  decodeResponse(bytes: Uint8Array): Message;
}

/** The services served, by full name. */
export const SERVICE_NAMES = {
  provider: 'tfplugin6.Provider',
  stdio: 'plugin.GRPCStdio',
  broker: 'plugin.GRPCBroker',
  controller: 'plugin.GRPCController',
} as const;

let table: Map<string, Rpc> | undefined;

/** Every RPC of the four services by path (built once). */
export function rpcTable(): ReadonlyMap<string, Rpc> {
  if (table) return table;
  const codec = new WireCodec(PROTOCOL_DESCRIPTOR);
  table = new Map();
  for (const service of Object.values(SERVICE_NAMES)) {
    let node: NamespaceDescriptor | undefined = PROTOCOL_DESCRIPTOR;
    for (const part of service.split('.')) node = node?.nested?.[part] as NamespaceDescriptor | undefined;
    const methods = (node as Partial<ServiceDescriptor> | undefined)?.methods;
    if (!methods) throw new Error(`protocol descriptor: no service ${service}`);
    for (const [name, method] of Object.entries(methods)) {
      const requestType = codec.resolve(method.requestType, service);
      const responseType = codec.resolve(method.responseType, service);
      const path = `/${service}/${name}`;
      table.set(path, {
        path,
        service,
        name,
        requestStream: method.requestStream ?? false,
        responseStream: method.responseStream ?? false,
        decodeRequest: (bytes) => codec.decode(requestType, bytes),
        encodeResponse: (message) => codec.encode(responseType, message),
        encodeRequest: (message) => codec.encode(requestType, message),
        decodeResponse: (bytes) => codec.decode(responseType, bytes),
      });
    }
  }
  return table;
}

export interface Services {
  readonly provider: ServiceDefinition;
  readonly stdio: ServiceDefinition;
  readonly broker: ServiceDefinition;
  readonly controller: ServiceDefinition;
}

/** The four services as @grpc/grpc-js service definitions, for gRPC clients (tests, tools). */
export function serviceDefinitions(): Services {
  const of = (service: string): ServiceDefinition => {
    const definition: Record<string, MethodDefinition<Message, Message>> = {};
    for (const rpc of rpcTable().values()) {
      if (rpc.service !== service) continue;
      definition[rpc.name] = {
        path: rpc.path,
        requestStream: rpc.requestStream,
        responseStream: rpc.responseStream,
        requestSerialize: rpc.encodeRequest,
        requestDeserialize: rpc.decodeRequest,
        responseSerialize: rpc.encodeResponse,
        responseDeserialize: rpc.decodeResponse,
        originalName: rpc.name,
      };
    }
    return definition;
  };
  return {
    provider: of(SERVICE_NAMES.provider),
    stdio: of(SERVICE_NAMES.stdio),
    broker: of(SERVICE_NAMES.broker),
    controller: of(SERVICE_NAMES.controller),
  };
}
