-- seqlang.lua — SeqLang in Neovim (0.7 or newer): .seq files get the filetype `seqlang` and
-- `seqsh lsp` as their language server. Put this file in ~/.config/nvim/plugin/ (or source it
-- from init.lua); `seqsh` must be on PATH.
vim.cmd([[autocmd BufRead,BufNewFile *.seq setfiletype seqlang]])
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'seqlang',
  callback = function(args)
    vim.bo[args.buf].commentstring = '# %s'
    local id = vim.lsp.start_client({ name = 'seqsh', cmd = { 'seqsh', 'lsp' }, root_dir = vim.fn.getcwd() })
    if id then vim.lsp.buf_attach_client(args.buf, id) end
  end,
})
