import type { Command } from 'commander';
import type { Deps, OwnerOptions } from '../../context.ts';
import { action, ownerOptions, seg, syncBase } from '../../context.ts';
import { renderFields } from '../../output.ts';
import { schemaSummary } from '../../views.ts';
import type { Obj } from '../../views.ts';

/** `provisio template show <templateId>`: GET …/synchronization/templates/{id}. */
export function register(noun: Command, deps: Deps): void {
  ownerOptions(noun.command('show').description('Show a synchronization template (GET …/templates/{id})').argument('<templateId>', 'template id'))
    .action(action<OwnerOptions>(deps, async (ctx, o, [id]) => {
      const t = await ctx.client().get<Obj>(`${syncBase(o)}/templates/${seg(id!)}`);
      ctx.out.result(t, () => {
        const metadata = (t.metadata as { key?: string; value?: string }[] | undefined) ?? [];
        let text = renderFields([
          ['id', t.id], ['factoryTag', t.factoryTag], ['applicationId', t.applicationId], ['default', t.default],
          ['discoverable', t.discoverable], ['description', t.description],
          ['metadata', metadata.length ? metadata.map((m) => `${m.key ?? '?'}=${m.value ?? ''}`).join(', ') : undefined],
        ]);
        if (t.schema && typeof t.schema === 'object') text += '\nSchema\n' + schemaSummary(t.schema as Obj);
        return text;
      });
    }));
}
