import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { stopTelemetry } from './telemetry';

/** Sends the spans still buffered before the process exits (a no-op when tracing is off). */
@Injectable()
export class TelemetryShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await stopTelemetry();
  }
}
