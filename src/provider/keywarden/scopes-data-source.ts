// Data source `keywarden_scopes`: the key service's scope catalog.
import { t, type DataSource } from '../plugin/index.js';
import { configured } from './api-key-resource.js';
import type { KeywardenProviderData } from './provider-config.js';
import { reportError } from './report-error.js';

export const scopesDataSource: DataSource<KeywardenProviderData | undefined> = {
  typeName: 'keywarden_scopes',
  schema: {
    description: 'The scopes the key service knows: its own management scopes and the application scopes it was configured with.',
    attributes: {
      include_management: { type: t.bool, optional: true, description: 'Also list the management scopes (`keys:read`, ...). Default: `true`.' },
      names: { type: t.set(t.string), computed: true, description: 'The scope names.' },
      scopes: {
        type: t.list(t.object({ name: t.string, description: t.string, management: t.bool })),
        computed: true,
        description: 'Each scope with its description and whether it is a management scope, in the catalog\'s order.',
      },
    },
  },
  async read({ config }, ctx) {
    const data = configured(ctx);
    try {
      const items = (await data.client.scopes()).filter((s) => config.include_management !== false || !s.management);
      return {
        include_management: config.include_management ?? null,
        names: items.map((s) => s.name).sort(),
        scopes: items.map((s) => ({ name: s.name, description: s.description, management: s.management })),
      };
    } catch (error) {
      reportError(error, 'read the scope catalog', data.endpoint, ctx.diagnostics);
      return config;
    }
  },
};
