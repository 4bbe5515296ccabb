import { app, Menu, type MenuItemConstructorOptions } from 'electron';

/**
 * The application menu: the platform's standard App, File, Edit, View and Window menus (copy and
 * paste need the Edit roles), and Help > About. DevTools and reload only in development.
 */
export function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  const dev = !app.isPackaged;
  app.setAboutPanelOptions({
    applicationName: 'certbench',
    applicationVersion: app.getVersion(),
    copyright: 'MIT License',
    credits: 'Certificate workbench for network engineers: keys, CSRs, inspect and match, and files for Junos, Apstra, SPS and Security Director Cloud. Works offline.',
  });
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(dev ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'About certbench', click: () => app.showAboutPanel() }],
    },
  ];
  return Menu.buildFromTemplate(template);
}
