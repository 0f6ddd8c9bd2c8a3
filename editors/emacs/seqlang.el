;;; seqlang.el --- SeqLang scripts in Emacs: a major mode for .seq files and `seqsh lsp' through Eglot (Emacs 29+).
(define-derived-mode seqlang-mode prog-mode "SeqLang"
  "Major mode for SeqLang scripts."
  (setq-local comment-start "# ")
  (modify-syntax-entry ?# "<" seqlang-mode-syntax-table)
  (modify-syntax-entry ?\n ">" seqlang-mode-syntax-table)
  (setq-local font-lock-defaults
              `((,(regexp-opt '("let" "fn" "return" "if" "else" "for" "in" "while" "break" "continue" "and" "or" "not" "true" "false" "none") 'words)
                 ("^\\s-*\\(seed\\|model\\|input\\|layer\\|summary\\|train\\|evaluate\\|predict\\|generate\\|save\\|resume\\|check\\|plot\\|load\\)\\_>" 1 font-lock-builtin-face)))))
(add-to-list 'auto-mode-alist '("\\.seq\\'" . seqlang-mode))
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(seqlang-mode "seqsh" "lsp")))
(add-hook 'seqlang-mode-hook #'eglot-ensure)
(provide 'seqlang)
;;; seqlang.el ends here
