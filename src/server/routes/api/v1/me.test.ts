import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestService, type TestService } from '../../../../test-support/service.js';

describe('GET /api/v1/me', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await openTestService('embedded');
  });
  afterAll(() => service?.close());

  it("tells an officer their grids and only the actions an officer may take, from where", async () => {
    const me = await service.app.inject({ url: '/api/v1/me', headers: service.auth.officer });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      name: 'officer', role: 'officer', grids: ['WG-01'],
      actions: [
        { action: 'verify-illegal', to: 'verified_illegal', from: ['dispatched'] },
        { action: 'verify-legal', to: 'verified_legal', from: ['dispatched'] },
        { action: 'false-positive', to: 'false_positive', from: ['dispatched'] },
        { action: 'reinspect', to: 'reinspected', from: ['disposing'] },
      ],
    });
  });

  it('gives a reviewer the triage actions and refuses no token with 401', async () => {
    const me = (await service.app.inject({ url: '/api/v1/me', headers: service.auth.reviewer })).json();
    expect(me.actions.map((a: { action: string }) => a.action)).toEqual(['triage', 'dismiss', 'dispatch']);
    expect((await service.app.inject({ url: '/api/v1/me' })).statusCode).toBe(401);
  });
});
