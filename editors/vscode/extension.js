// extension.js — starts `seqsh lsp` for .seq files through VS Code's language client.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('seqlang').get('seqshPath', 'seqsh');
  client = new LanguageClient('seqlang', 'SeqLang', { command, args: ['lsp'] },
    { documentSelector: [{ scheme: 'file', language: 'seqlang' }] });
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() { return client ? client.stop() : undefined; }

module.exports = { activate, deactivate };
