import { Module } from '@nestjs/common';
import { SandboxProvider } from './sandbox.provider';

@Module({ providers: [SandboxProvider], exports: [SandboxProvider] })
export class SandboxModule {}
