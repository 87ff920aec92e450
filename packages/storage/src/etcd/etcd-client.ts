import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import {
  decodeRangeResponse,
  decodeTxnResponse,
  decodeWatchResponse,
  encodeRangeRequest,
  encodeTxnRequest,
  encodeWatchRequest,
} from "./etcd-codec.js";
import { GrpcChannel } from "./grpc-channel.js";
import type { GrpcDuplex } from "./grpc-stream.js";

/** etcd's v3 API messages as @grpc/proto-loader decodes them (int64 as decimal strings). */
export interface KeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
}

export interface ResponseHeader {
  revision: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  serializable?: boolean;
  count_only?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: string;
}

/** Enum names as the etcd3 package's rpc.proto spells them. */
export interface Compare {
  result: "Equal" | "Greater" | "Less" | "NotEqual";
  target: "Version" | "Create" | "Mod" | "Value";
  key: Buffer;
  version?: number;
  mod_revision?: number;
}

export interface RequestOp {
  request_range?: RangeRequest;
  request_put?: { key: Buffer; value: Buffer };
  request_delete_range?: { key: Buffer; prev_kv?: boolean };
}

export interface ResponseOp {
  response_range?: RangeResponse | null;
  response_put?: { header: ResponseHeader } | null;
  response_delete_range?: { header: ResponseHeader; deleted: string; prev_kvs: KeyValue[] } | null;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision: number;
  progress_notify: boolean;
  prev_kv: boolean;
}

export interface WatchEventMessage {
  type: "Put" | "Delete";
  kv: KeyValue;
  prev_kv: KeyValue | null;
}

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: WatchEventMessage[];
}

export type WatchRequest =
  | { create_request: WatchCreateRequest }
  | { cancel_request: { watch_id: string } }
  | { progress_request: Record<string, never> };

export type WatchStream = GrpcDuplex<WatchRequest, WatchResponse>;

/** TLS material as --etcd-cafile, --etcd-certfile and --etcd-keyfile name it. */
export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

type ServiceName = "KV" | "Maintenance";
type ServiceClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const PROTO_FILE = join(dirname(createRequire(import.meta.url).resolve("etcd3/package.json")), "proto", "rpc.proto");
let services: Record<ServiceName, grpc.ServiceClientConstructor> | undefined;

let definition: protoLoader.PackageDefinition | undefined;

/** The etcd API as proto-loader reads the .proto files the etcd3 package ships (loaded once). */
export function etcdProtoDefinition(): protoLoader.PackageDefinition {
  definition ??= protoLoader.loadSync(PROTO_FILE, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return definition;
}

/** The etcd services, loaded once. */
function loadServices(): Record<ServiceName, grpc.ServiceClientConstructor> {
  if (!services) {
    const definition = etcdProtoDefinition();
    const pkg = grpc.loadPackageDefinition(definition).etcdserverpb as Record<string, grpc.ServiceClientConstructor>;
    services = {
      KV: pkg.KV as grpc.ServiceClientConstructor,
      Maintenance: pkg.Maintenance as grpc.ServiceClientConstructor,
    };
  }
  return services;
}

/** A unary method with this package's own codec (etcd-codec.ts) instead of proto-loader's. */
interface CodecMethod<Req, Res> {
  readonly path: string;
  readonly serialize: (request: Req) => Buffer;
  readonly deserialize: (response: Buffer) => Res;
}

const RANGE: CodecMethod<RangeRequest, RangeResponse> = {
  path: "/etcdserverpb.KV/Range",
  serialize: encodeRangeRequest,
  deserialize: decodeRangeResponse,
};
const TXN: CodecMethod<TxnRequest, TxnResponse> = {
  path: "/etcdserverpb.KV/Txn",
  serialize: encodeTxnRequest,
  deserialize: decodeTxnResponse,
};
const WATCH_PATH = "/etcdserverpb.Watch/Watch";

/** Channel settings: reconnect within ~2 s after an outage (grpc's default backs off to 2 min), detect dead peers. */
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.initial_reconnect_backoff_ms": 100,
  "grpc.max_reconnect_backoff_ms": 2000,
  "grpc.keepalive_time_ms": 10_000,
  "grpc.keepalive_timeout_ms": 5000,
  "grpc.max_receive_message_length": -1,
  "grpc.max_send_message_length": -1,
};

interface Endpoint {
  readonly url: string;
  readonly clients: Record<ServiceName, ServiceClient>;
  /** Range, Txn and Watch, the calls of every read and write, without grpc-js's per-call machinery. */
  readonly unary: GrpcChannel;
}

/**
 * The few etcd v3 calls the backend needs, straight over gRPC: every unary call carries a
 * deadline, so an unreachable etcd fails a call within `timeoutMs` instead of hanging.
 * Several endpoints: calls go to one until it answers UNAVAILABLE, then to the next.
 */
export class EtcdClient {
  private readonly endpoints: Endpoint[];
  private current = 0;

  constructor(
    servers: readonly string[],
    tls: EtcdTlsFiles,
    private readonly timeoutMs: number,
  ) {
    if (servers.length === 0) throw new RangeError("etcd: at least one server URL is required");
    const constructors = loadServices();
    this.endpoints = servers.map((url) => {
      const parsed = new URL(url);
      const credentials =
        parsed.protocol === "https:"
          ? grpc.credentials.createSsl(
              tls.caFile ? readFileSync(tls.caFile) : null,
              tls.keyFile ? readFileSync(tls.keyFile) : null,
              tls.certFile ? readFileSync(tls.certFile) : null,
            )
          : grpc.credentials.createInsecure();
      const target = parsed.host;
      const make = (name: ServiceName) =>
        new constructors[name](target, credentials, CHANNEL_OPTIONS) as unknown as ServiceClient;
      return {
        url,
        clients: { KV: make("KV"), Maintenance: make("Maintenance") },
        unary: new GrpcChannel(parsed, tls),
      };
    });
  }

  range(request: RangeRequest): Promise<RangeResponse> {
    return this.unary("KV", RANGE, request);
  }

  txn(request: TxnRequest): Promise<TxnResponse> {
    return this.unary("KV", TXN, request);
  }

  compact(revision: number): Promise<{ header: ResponseHeader }> {
    return this.unary("KV", "Compact", { revision, physical: false });
  }

  status(): Promise<StatusResponse> {
    return this.unary("Maintenance", "Status", {});
  }

  /** A new bidirectional watch stream on the current endpoint (no deadline: it lives until cancelled). */
  watch(): WatchStream {
    const channel = (this.endpoints[this.current] as Endpoint).unary;
    return channel.openStream(WATCH_PATH, encodeWatchRequest, decodeWatchResponse);
  }

  /** Marks the current endpoint as failing, so that the next stream or call tries another. */
  rotate(): void {
    this.current = (this.current + 1) % this.endpoints.length;
  }

  close(): void {
    for (const endpoint of this.endpoints) {
      for (const client of Object.values(endpoint.clients)) client.close();
      endpoint.unary.close();
    }
  }

  private unary<T>(service: ServiceName, method: string | CodecMethod<never, T>, request: unknown): Promise<T> {
    const endpoint = this.endpoints[this.current] as Endpoint;
    const failed = (error: grpc.ServiceError) => {
      if (error.code === grpc.status.UNAVAILABLE && this.endpoints[this.current] === endpoint) this.rotate();
      return error;
    };
    if (typeof method !== "string") {
      const { path, serialize, deserialize } = method as CodecMethod<unknown, T>;
      return endpoint.unary.call(path, request, serialize, deserialize, this.timeoutMs).catch((error) => {
        throw failed(error);
      });
    }
    const client = endpoint.clients[service];
    return new Promise<T>((resolve, reject) => {
      const callback = (error: grpc.ServiceError | null, response?: T) => {
        if (error) reject(failed(error));
        else resolve(response as T);
      };
      (client[method] as (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: typeof callback) => void).call(
        client,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        callback,
      );
    });
  }
}
