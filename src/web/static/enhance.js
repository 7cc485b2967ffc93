/* placeholder: table sorting and filtering come with the facilities page */
