import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { setUnauthorizedHandler } from './api'
import { weeksStartOnMonday } from './dates'
import { i18n } from './i18n'
import { router } from './router'
import { forget } from './session'

weeksStartOnMonday()

setUnauthorizedHandler(() => {
  forget()
  const here = router.currentRoute.value
  if (here.name !== 'sign-in') {
    void router.replace({ name: 'sign-in', query: here.fullPath !== '/' ? { redirect: here.fullPath } : {} })
  }
})

document.documentElement.lang = i18n.global.locale.value
createApp(App).use(i18n).use(router).use(ElementPlus).mount('#app')
