import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../adapters/db/database.ts';
import { addUser, listUsers, removeUser, ROLES } from '../../services/users.service.ts';
import { auditActorOf, requireRole } from '../auth-guard.ts';
import { parseInput } from '../validation.ts';

const newUserSchema = z.object({
  username: z.string().min(1, 'is required').max(64),
  role: z.enum(ROLES),
  password: z.string().max(1024),
});

/** User administration, for admins: list, add (with a first password) and remove. */
export function registerUsersRoutes(app: FastifyInstance, deps: { db: Db; now(): Date }): void {
  app.get('/api/users', { preHandler: requireRole('admin') }, async () => ({
    users: await listUsers(deps.db),
  }));

  app.post('/api/users', { preHandler: requireRole('admin') }, async (request, reply) => {
    const input = parseInput(newUserSchema, request.body);
    const { user, reactivated } = await addUser(deps.db, input, {
      actor: auditActorOf(request),
      now: deps.now(),
    });
    return reply.status(201).send({ user, reactivated });
  });

  app.delete('/api/users/:username', { preHandler: requireRole('admin') }, async (request, reply) => {
    const { username } = parseInput(z.object({ username: z.string().min(1).max(256) }), request.params);
    await removeUser(deps.db, username, { actor: auditActorOf(request), now: deps.now() });
    return reply.status(204).send();
  });
}
