# 客户簿、订阅和审核日志列表上的“导出”按钮。
export-button = 导出 CSV
export-running = 正在导出…
export-failed = 导出失败，请重试。
