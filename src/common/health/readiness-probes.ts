import { Injectable } from '@nestjs/common';

/** A feature's part of readiness, reported beside the database and the cache. */
export interface ReadinessProbe {
  /** Its key in the readiness answer's `info`. */
  component: string;
  /** `degraded` says work is piling up; it never takes the app out of the load balancer (only the database does). */
  check(): 'up' | 'degraded';
}

/** Where features register their probes (common code cannot know the features). */
@Injectable()
export class ReadinessProbes {
  private readonly probes: ReadinessProbe[] = [];

  register(probe: ReadinessProbe): void {
    this.probes.push(probe);
  }

  all(): readonly ReadinessProbe[] {
    return this.probes;
  }
}
